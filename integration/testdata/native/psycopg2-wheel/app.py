"""Counts rows with psycopg2, whose compiled module links libpq.so.5."""
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

import psycopg2


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        conn = psycopg2.connect(os.environ["DATABASE_URL"])
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM fruit")
            count = cur.fetchone()[0]
        conn.close()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"rows: %d" % count)


HTTPServer(("127.0.0.1", int(os.environ.get("PORT", "8080"))), Handler).serve_forever()
