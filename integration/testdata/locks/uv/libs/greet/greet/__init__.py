GREETING = "Hello from uv.lock"
