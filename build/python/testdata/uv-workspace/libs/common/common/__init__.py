def hello():
    return "hello from common"
