from flask import Flask

import core

app = Flask(__name__)


@app.route("/")
def index():
    return core.message()
