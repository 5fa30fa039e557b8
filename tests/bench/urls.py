"""The production URLs plus a bare view: the baseline the home page is compared to."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from school.urls import urlpatterns as school_urlpatterns

HELLO_PATH = "/bench/hello/"


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello")


urlpatterns = [path(HELLO_PATH.strip("/") + "/", hello), *school_urlpatterns]
