# Started by the Procfile: answers with its own text so a test can tell the
# Procfile won over the gunicorn default.
import http.server
import os


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"served by the Procfile"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


http.server.HTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()
