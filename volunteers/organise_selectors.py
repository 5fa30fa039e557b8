"""Reads behind the organiser's and the space staff's activity pages
(volunteers.organise_views): each access helper gives the same 404 for "does not
exist" and "not yours"."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from courses.models import Booking
from school.models import User
from volunteers.activities import spaces_staffed_by, user_runs
from volunteers.models import Activity, ActivityEvent, ActivitySession

Status = Activity.Status
RECENTLY_DECIDED = 20


def _sessions_with_waitlist() -> QuerySet:
    return ActivitySession.objects.annotate(
        waitlisted=Count(
            "bookings", filter=Q(bookings__status=Booking.Status.WAITLISTED)
        )
    ).order_by("starts_at", "pk")


def _activities() -> QuerySet:
    return Activity.objects.select_related(
        "space__community",
        "organiser",
        "audience_unit",
        "right__reward",
        "decided_by",
    ).prefetch_related(Prefetch("sessions", queryset=_sessions_with_waitlist()))


def activities_organised_by(user: User) -> QuerySet:
    """我发起的活动: the user's activities, newest first, with their sessions
    (each with its waitlist count)."""
    return _activities().filter(organiser=user).order_by("-proposed_at", "-pk")


def get_activity_for_runner(user: User, pk: int) -> Activity:
    """An activity its organiser or its space's staff may read; a 404 to anyone
    else, as for one that does not exist."""
    activity = _activities().filter(pk=pk).first()
    if activity is None or not user_runs(user, activity):
        raise Http404
    return activity


def get_activity_for_organiser(user: User, pk: int) -> Activity:
    """The user's own activity (to withdraw or cancel); a 404 otherwise."""
    if not user.is_authenticated:
        raise Http404
    activity = _activities().filter(pk=pk, organiser=user).first()
    if activity is None:
        raise Http404
    return activity


def get_session_for_organiser(user: User, pk: int) -> ActivitySession:
    """A session of the user's own activity (to cancel it); a 404 otherwise."""
    if not user.is_authenticated:
        raise Http404
    session = (
        ActivitySession.objects.select_related("activity__space")
        .filter(pk=pk, activity__organiser=user)
        .first()
    )
    if session is None:
        raise Http404
    return session


def activity_events(activity: Activity) -> QuerySet:
    """The activity's audit trail, oldest first."""
    return (
        ActivityEvent.objects.filter(activity=activity)
        .select_related("actor")
        .order_by("pk")
    )


def check_reviewer(user: User) -> None:
    """A 404 for anyone who staffs no space, as if the page did not exist."""
    if not spaces_staffed_by(user).exists():
        raise Http404


def pending_for_reviewer(user: User) -> QuerySet:
    """活动审批: pending activities in the spaces the user staffs, oldest first."""
    return (
        _activities()
        .filter(status=Status.PENDING, space__in=spaces_staffed_by(user))
        .order_by("proposed_at", "pk")
    )


def recently_decided_for_reviewer(user: User) -> QuerySet:
    """The latest decisions on activities in the spaces the user staffs."""
    return (
        _activities()
        .filter(
            status__in=[Status.APPROVED, Status.REJECTED, Status.CANCELLED],
            decided_at__isnull=False,
            space__in=spaces_staffed_by(user),
        )
        .order_by("-decided_at", "-pk")[:RECENTLY_DECIDED]
    )


def get_activity_for_reviewer(user: User, pk: int) -> Activity:
    """An activity in a space the user staffs; a 404 otherwise."""
    activity = (
        Activity.objects.select_related("space")
        .filter(pk=pk, space__in=spaces_staffed_by(user))
        .first()
    )
    if activity is None:
        raise Http404
    return activity
