"""Reads rows from PostgreSQL with psycopg 3 (libpq through ctypes) and
psycopg2 (a compiled module linking libpq.so.5), and shells out to jq, a
program from the Aptfile."""
import json
import os
import subprocess
from http.server import BaseHTTPRequestHandler, HTTPServer

import psycopg
import psycopg2

DSN = os.environ["DATABASE_URL"]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        with psycopg.connect(DSN) as conn:
            rows3 = [r[0] for r in conn.execute("SELECT name FROM fruit ORDER BY id")]
        conn2 = psycopg2.connect(DSN)
        with conn2.cursor() as cur:
            cur.execute("SELECT count(*) FROM fruit")
            count2 = cur.fetchone()[0]
        conn2.close()
        total = subprocess.run(["jq", "-n", "[1, 2, 3] | add"], capture_output=True, text=True, check=True).stdout.strip()
        body = json.dumps({"psycopg": rows3, "psycopg2": count2, "jq": total, "pq": psycopg.pq.__impl__}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)


HTTPServer(("127.0.0.1", int(os.environ.get("PORT", "8080"))), Handler).serve_forever()
