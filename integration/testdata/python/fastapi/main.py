import os

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def index():
    return {"hello": "fastapi", "web_concurrency": os.environ.get("WEB_CONCURRENCY", "")}
