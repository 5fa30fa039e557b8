"""The street's public activity calendar, each activity's page, and residents'
sign-ups (under /activities/)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from volunteers.activities import user_runs
from volunteers.models import Activity


def _activity_for(request: HttpRequest, pk: int) -> Activity:
    try:
        activity = Activity.objects.select_related("space__community").get(pk=pk)
    except (Activity.DoesNotExist, OverflowError, ValueError):
        raise Http404 from None
    if activity.status in (
        Activity.Status.APPROVED,
        Activity.Status.CANCELLED,
    ) or user_runs(request.user, activity):
        return activity
    raise Http404


def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity_for(request, pk)
    return render(request, "volunteers/activity_detail.html", {"activity": activity})
