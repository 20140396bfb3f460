def message():
    return "Hello from services/web, with libs/core 1"
