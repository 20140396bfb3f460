import os

from django.http import HttpResponse, JsonResponse
from django.urls import path


def index(request):
    return HttpResponse("Hello from Django")


def env(request):
    return JsonResponse({"web_concurrency": os.environ.get("WEB_CONCURRENCY", ""), "pid": os.getpid()})


def users(request):
    # Writes to the SQLite database and to MEDIA_ROOT, in the app directory:
    # both must be writable by the user the app runs as.
    from django.conf import settings
    from django.contrib.auth.models import User

    User.objects.create(username="user%d" % (User.objects.count() + 1))
    os.makedirs(settings.MEDIA_ROOT, exist_ok=True)
    with open(os.path.join(settings.MEDIA_ROOT, "upload.txt"), "a") as f:
        f.write("x")
    return JsonResponse({"users": User.objects.count()})


urlpatterns = [
    path("", index),
    path("env", env),
    path("users", users),
]
