import sys

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    # markupsafe's speedups are compiled for the stack's CPython: they load
    # only on the Python they were built for.
    try:
        import markupsafe._speedups  # noqa: F401
        speedups = True
    except ImportError:
        speedups = False
    return "python %d.%d, markupsafe speedups: %s" % (sys.version_info[0], sys.version_info[1], speedups)
