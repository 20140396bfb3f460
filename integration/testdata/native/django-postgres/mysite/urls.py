from django.urls import path

from fruit.views import count

urlpatterns = [path("", count)]
