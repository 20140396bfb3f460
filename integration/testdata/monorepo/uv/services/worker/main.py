"""A worker with a health endpoint: the standard library serves it."""
import importlib.util
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

import six

import common


class Health(BaseHTTPRequestHandler):
    def do_GET(self):
        flask = importlib.util.find_spec("flask") is not None
        body = f"{common.greeting('worker')} (six {six.__version__}, flask installed: {flask})".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    HTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8080"))), Health).serve_forever()
