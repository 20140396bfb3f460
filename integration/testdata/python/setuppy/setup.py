# A setup.py app with no requirements.txt, like Flask's tutorial (flaskr):
# onbuild installs it editable. Debian's wheels in the test index carry no
# dependencies, so every package it imports is listed, unpinned (the index
# follows the stack flavour).
from setuptools import setup

setup(
    name="hello",
    version="1.0.0",
    packages=["hello"],
    install_requires=[
        "flask",
        "werkzeug",
        "blinker",
        "jinja2",
        "markupsafe",
        "itsdangerous",
        "click",
        "gunicorn",
        "packaging",
    ],
)
