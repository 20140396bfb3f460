import os
import sys

from flask import Flask

app = Flask(__name__)
GREETING = "Hello from onbuild"


@app.route("/")
def index():
    return GREETING


@app.route("/env")
def env():
    return {"python": sys.executable, "server": os.environ.get("SERVER_SOFTWARE", "")}
