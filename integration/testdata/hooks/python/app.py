import os

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "hooks app"


@app.route("/built")
def built():
    # Written into the app directory by the build hook.
    with open("built.txt") as f:
        return f.read()


@app.route("/env")
def env():
    names = ["PRE_BUILD_VAR", "BUILD_VAR", "LEGACY_VAR", "DEPLOY_VAR"]
    return {name: os.environ.get(name, "") for name in names}
