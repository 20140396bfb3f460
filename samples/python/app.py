"""The onbuild sample: a Flask app that needs nothing but its source."""
import platform

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return f"Hello from a Flask app built by onbuild (Python {platform.python_version()})\n"
