"""A pipenv project: Pipfile.lock has no root package."""
import os

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "Hello from Pipfile.lock"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")))
