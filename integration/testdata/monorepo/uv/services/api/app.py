import importlib.util

from flask import Flask

import common

app = Flask(__name__)


@app.route("/")
def index():
    # The worker's dependency must not be here: each member gets its own closure.
    six = importlib.util.find_spec("six") is not None
    return f"{common.greeting('api')} (six installed: {six})"
