"""A Poetry project whose root is a real package (see setup.cfg): the
build installs it editable, without its dependencies."""
import os

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "Hello from poetry.lock"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")))
