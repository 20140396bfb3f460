"""Serves what the VCS requirements installed: each package's version and
where Python imports it from."""
import http.server
import json
import os

import pkga
import pkgb
import pkgc


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({m.__name__: {"version": m.VERSION, "file": m.__file__} for m in (pkga, pkgb, pkgc)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)


http.server.HTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8080"))), Handler).serve_forever()
