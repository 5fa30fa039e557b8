"""The street's public activity calendar, each activity's page, residents'
sign-ups and 我的活动 (under /activities/). Thin views: fetch through an access
helper, call volunteers.activities, redirect with a message. Every change is a
POST; no GET changes anything."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from courses.booking import waitlist_position
from courses.models import Booking
from school.models import User
from volunteers import activities
from volunteers.activity_selectors import (
    PUBLIC_STATUSES,
    activity_sessions_for,
    activity_week,
    audience_label,
    clean_filters,
    communities_with_spaces,
    my_activities,
    organises_any,
)
from volunteers.models import Activity, ActivitySession

# Access helpers: the object, or 404 alike for "does not exist" and "not yours".


def _visible(user: User, activity: Activity) -> bool:
    """Approved and cancelled activities are public; a pending, rejected or
    withdrawn one only to its organiser and the space's staff."""
    return activity.status in PUBLIC_STATUSES or activities.user_runs(user, activity)


def get_visible_activity(user: User, pk: int) -> Activity:
    activity = (
        Activity.objects.select_related(
            "space__community", "organiser", "audience_unit"
        )
        .filter(pk=pk)
        .first()
    )
    if activity is None or not _visible(user, activity):
        raise Http404
    return activity


def get_visible_session(user: User, pk: int) -> ActivitySession:
    session = (
        ActivitySession.objects.select_related("activity__space").filter(pk=pk).first()
    )
    if session is None or not _visible(user, session.activity):
        raise Http404
    return session


def get_own_activity_booking(user: User, pk: int) -> Booking:
    """The user's own live booking of an activity session (a class session's
    booking, someone else's, a cancelled one or none at all: 404)."""
    made = (
        Booking.objects.live()
        .filter(pk=pk, trainee=user, session__activitysession__isnull=False)
        .select_related("session__activitysession__activity")
        .first()
    )
    if made is None:
        raise Http404
    return made


def _refused(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, "；".join(error.messages))


# Pages.


@require_safe
def calendar(request: HttpRequest) -> HttpResponse:
    """活动日历, public: one week of the street's activity sessions, by day,
    filtered by community and kind; a bad query falls back and says so."""
    today = timezone.localdate()
    communities = communities_with_spaces()
    filters = clean_filters(request.GET, today=today, communities=communities)
    return render(
        request,
        "volunteers/activity_calendar.html",
        {
            "week": activity_week(filters, today=today, communities=communities),
            "filters": filters,
        },
    )


@require_safe
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One activity, public once approved: what, where, for whom, and its
    sessions with the visitor's own place in each."""
    activity = get_visible_activity(request.user, pk)
    return render(
        request,
        "volunteers/activity_detail.html",
        {
            "activity": activity,
            "audience": audience_label(activity),
            "sessions": activity_sessions_for(activity, request.user),
            "runs": activities.user_runs(request.user, activity),
            "is_public": activity.status in PUBLIC_STATUSES,
        },
    )


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    """我的活动: the person's sign-ups to come and the sessions they took part in."""
    return render(
        request,
        "volunteers/activity_mine.html",
        {
            "mine": my_activities(request.user),
            "organises": organises_any(request.user),
            "can_propose": activities.user_can_propose(request.user),
            "reviews": activities.spaces_staffed_by(request.user).exists(),
        },
    )


# Actions: POST only.


@require_POST
def sign_up(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign up for a session, or join its waitlist when it is full."""
    session = get_visible_session(request.user, pk)
    back = reverse("activities:activity", args=[session.activity_id])
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    try:
        made = activities.sign_up(session, person=request.user)
    except ValidationError as error:
        _refused(request, error)
        return redirect(back)
    if made.status == Booking.Status.CONFIRMED:
        messages.success(
            request, _("报名成功：%(session)s。请按时到场签到。") % {"session": session}
        )
    else:
        messages.warning(
            request,
            _(
                "名额已满，您已进入候补（候补第 %(position)s 位）。"
                "有人取消时会按顺序自动为您转为报名成功。"
            )
            % {"position": waitlist_position(made)},
        )
    return redirect(back)


@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel one's own sign-up or waitlist place (before the cut-off; after it
    the service says whom to contact and nothing changes)."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("activities:mine"))
    made = get_own_activity_booking(request.user, pk)
    activity_id = made.session.activitysession.activity_id
    was_waitlisted = made.status == Booking.Status.WAITLISTED
    try:
        activities.cancel_sign_up(made, person=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("已取消候补。") if was_waitlisted else _("已取消报名，名额已让出。"),
        )
    if request.POST.get("back") == "mine":
        return redirect("activities:mine")
    return redirect("activities:activity", pk=activity_id)
