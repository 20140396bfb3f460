"""A uv project: a virtual root (uv's package = false) with a path
dependency and a git dependency besides its index packages."""
import os

from flask import Flask

import greet
import pkga

app = Flask(__name__)


@app.route("/")
def index():
    return f"{greet.GREETING} (pkga {pkga.VERSION})"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")))
