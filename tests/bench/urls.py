"""The production URLs plus bare views: the baselines pages and actions are compared
to. `hello` reads nothing; `insert` writes one row for the signed-in user, the floor
under any POST that changes something (session, user and CSRF checked as for every
action)."""

from django.contrib.admin.models import ADDITION, LogEntry
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.urls import path
from django.views.decorators.http import require_POST

from school.urls import urlpatterns as school_urlpatterns

HELLO_PATH = "/bench/hello/"
INSERT_PATH = "/bench/insert/"


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello")


@require_POST
def insert(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    LogEntry.objects.create(
        user_id=request.user.pk, action_flag=ADDITION, object_repr="bench"
    )
    return HttpResponse("inserted")


urlpatterns = [
    path(HELLO_PATH.strip("/") + "/", hello),
    path(INSERT_PATH.strip("/") + "/", insert),
    *school_urlpatterns,
]
