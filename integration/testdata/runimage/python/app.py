"""A Python app for the run image test: it answers on $PORT and says
whether the image it runs on has a shell."""
import os
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = "hello from python; /bin/sh present: %s\n" % os.path.exists("/bin/sh")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(body.encode())


HTTPServer(("", int(os.environ.get("PORT", "8080"))), Handler).serve_forever()
