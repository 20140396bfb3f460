"""A Django project on PostgreSQL, configured from DATABASE_URL as on a PaaS."""
import os
from urllib.parse import urlparse

SECRET_KEY = os.environ.get("SECRET_KEY", "build-only")
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["fruit"]
ROOT_URLCONF = "mysite.urls"
WSGI_APPLICATION = "mysite.wsgi.application"
USE_TZ = True

# The database exists only where the app runs; the build imports the
# settings without one.
url = urlparse(os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": url.path.lstrip("/"),
        "USER": url.username or "",
        "PASSWORD": url.password or "",
        "HOST": url.hostname or "",
        "PORT": str(url.port or ""),
    }
}
