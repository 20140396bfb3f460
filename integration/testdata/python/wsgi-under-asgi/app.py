from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "never served: uvicorn cannot call a WSGI app"
