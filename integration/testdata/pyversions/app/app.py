"""Answers with the Python it runs on, and proof that what a real app
needs from the interpreter works: ssl with the system's CAs, sqlite3,
ctypes, and the packages pip installed."""
import ctypes
import os
import sqlite3
import ssl
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


def report():
    # OpenSSL loads a CA file at once but looks CAs up in a hashed
    # directory only when verifying: either way they must be there.
    paths = ssl.get_default_verify_paths()
    cas = ssl.create_default_context().cert_store_stats()["x509_ca"]
    if not cas and paths.capath and os.path.isdir(paths.capath):
        cas = len([f for f in os.listdir(paths.capath) if f.endswith(".0")])
    sqlite = sqlite3.connect(":memory:").execute("select sqlite_version()").fetchone()[0]
    abs_from_libc = ctypes.CDLL(None).abs(-7)
    lines = [
        sys.version,
        "prefix=" + sys.base_prefix,
        "ssl=%s cas=%d" % (ssl.OPENSSL_VERSION, cas),
        "sqlite3=" + sqlite,
        "ctypes=%d" % abs_from_libc,
    ]
    try:
        import greet
        lines.append("greet=" + greet.hello())
    except ImportError:
        pass
    return "\n".join(lines) + "\n"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = report().encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    HTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8080"))), Handler).serve_forever()
