"""The trainee's side of booking: a class's sessions with 预约 and 取消预约, and the
private calendar feed. Thin views: authenticate, fetch through an access helper,
call the class-session service (courses.sessions), redirect with a message. Every
change is a POST; no GET changes anything, not even a first feed address."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from courses import booking, calendars, sessions
from courses.models import (
    Booking,
    CalendarFeed,
    ClassSession,
    TrainingClass,
)
from courses.models.booking import new_calendar_token
from courses.selectors.bookings import class_sessions_context, waitlist_label
from school.models import User

# Access helpers: the object, or 404 alike for "does not exist" and "not yours".


def get_class_of_trainee(user: User, pk: int) -> TrainingClass:
    """A class the user holds a seat in (studying or completed)."""
    if not user.is_authenticated or not sessions.holds_seat(user, pk):
        raise Http404
    try:
        return TrainingClass.objects.select_related("course").get(pk=pk)
    except TrainingClass.DoesNotExist:
        raise Http404 from None


def get_session_for_trainee(user: User, pk: int) -> ClassSession:
    """A session of a class the user holds a seat in."""
    session = (
        ClassSession.objects.select_related("training_class__course", "practice_site")
        .filter(pk=pk)
        .first()
    )
    if session is None or not sessions.holds_seat(user, session.training_class_id):
        raise Http404
    return session


def get_own_booking(user: User, pk: int) -> Booking:
    """The user's own booking of a class session."""
    made = (
        Booking.objects.filter(pk=pk, trainee=user, session__classsession__isnull=False)
        .select_related("session")
        .first()
    )
    if made is None:
        raise Http404
    return made


def _refused(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, "；".join(error.messages))


def _back_to_sessions(class_id: int) -> HttpResponse:
    return redirect("courses:class_sessions", pk=class_id)


# Pages.


@login_required
@require_safe
def class_sessions(request: HttpRequest, pk: int) -> HttpResponse:
    """A class's sessions to come, with seats and the trainee's own booking."""
    training_class = get_class_of_trainee(request.user, pk)
    return render(
        request,
        "courses/class_sessions.html",
        class_sessions_context(training_class, request.user),
    )


# Actions: POST only.


@require_POST
def book_session(request: HttpRequest, pk: int) -> HttpResponse:
    """Book a seat in a session, or join its waitlist when it is full."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("courses:dashboard"))
    session = get_session_for_trainee(request.user, pk)
    try:
        made = sessions.book_session(session, trainee=request.user, actor=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        if made.status == Booking.Status.CONFIRMED:
            done = _("预约成功：%(session)s。") % {"session": session}
            if request.user.email:
                done += _("确认邮件和日历邀请会发到您的邮箱。")
            messages.success(request, done)
        else:
            waiting = _(
                "该场次已满，您已进入候补（%(position)s）。有人取消时会按顺序自动为您转为预约。"
            ) % {"position": waitlist_label(booking.waitlist_position(made))}
            if request.user.email:
                waiting += _("转为预约时会邮件通知您。")
            messages.warning(request, waiting)
    return _back_to_sessions(session.training_class_id)


@require_POST
def cancel_booking(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel one's own booking (before the cut-off; after it, the engine says
    whom to contact and nothing changes)."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("courses:dashboard"))
    made = get_own_booking(request.user, pk)
    class_id = (
        ClassSession.objects.filter(pk=made.session_id)
        .values_list("training_class_id", flat=True)
        .get()
    )
    was_waitlisted = made.status == Booking.Status.WAITLISTED
    try:
        sessions.cancel_my_booking(made, trainee=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("已退出候补。") if was_waitlisted else _("已取消预约，座位已让出。"),
        )
    return _back_to_sessions(class_id)


# The private calendar feed.


@login_required
@require_safe
def calendar(request: HttpRequest) -> HttpResponse:
    """The address of the person's calendar feed (none until they ask for one)."""
    feed = CalendarFeed.objects.filter(owner=request.user).first()
    feed_url = ""
    if feed is not None:
        feed_url = request.build_absolute_uri(
            reverse("courses:calendar_feed", args=[feed.token])
        )
    return render(
        request,
        "courses/calendar.html",
        {
            "feed": feed,
            "feed_url": feed_url,
            "webcal_url": "webcal://" + feed_url.split("://", 1)[1] if feed_url else "",
        },
    )


@require_POST
def reset_calendar(request: HttpRequest) -> HttpResponse:
    """Make the person's feed address, or replace it: the old one then reads 404."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("courses:calendar"))
    feed, created = CalendarFeed.objects.get_or_create(owner=request.user)
    if created:
        messages.success(request, _("已生成您的日历订阅地址。"))
    else:
        CalendarFeed.objects.filter(pk=feed.pk).update(token=new_calendar_token())
        messages.success(
            request, _("订阅地址已重置，旧地址已失效。请在日历应用中改用新地址。")
        )
    return redirect("courses:calendar")


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself, for calendar apps: whoever holds the token reads it."""
    feed = CalendarFeed.objects.select_related("owner").filter(token=token).first()
    if feed is None or not feed.owner.is_active:
        raise Http404
    response = HttpResponse(
        calendars.personal_calendar(feed.owner),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="gridschool.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
