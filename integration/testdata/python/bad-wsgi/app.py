# Looks like a WSGI app to onbuild's guess, but cannot be imported.
from flask import Flask
import settings_that_do_not_exist

app = Flask(__name__)
