"""/api/: version 1 of the JSON API at /api/v1/ (api.v1)."""

from django.urls import path

from api.v1 import api

urlpatterns = [path("v1/", api.urls)]
