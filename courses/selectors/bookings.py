"""What a trainee sees of booking: the sessions of one of their classes with their
own place in each, and 我的预约 on 我的学习 (one query however many bookings).
Seats, waitlist and cut-off are the engine's (courses.booking); this only reads."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses import booking, checkin_window
from courses.models import Booking, ClassSession, TrainingClass
from courses.sessions import session_contact
from school.models import User

Status = Booking.Status

# How long 我的预约 keeps saying that a waitlisted place became a seat, or that a
# booked session was cancelled.
RECENT_NEWS = timedelta(days=7)


def time_label(starts_at: datetime, ends_at: datetime) -> str:
    """ "2026-12-07（星期一）19:00—21:00", in local time; the end's date too when the
    session runs past midnight."""
    starts, ends = timezone.localtime(starts_at), timezone.localtime(ends_at)
    end_format = "H:i" if starts.date() == ends.date() else "Y-m-d H:i"
    return (
        f"{date_format(starts, 'Y-m-d')}（{date_format(starts, 'l')}）"
        f"{date_format(starts, 'H:i')}—{date_format(ends, end_format)}"
    )


def _closes_label(closes_at: datetime) -> str:
    return date_format(timezone.localtime(closes_at), "Y-m-d H:i")


def waitlist_label(position: int | None) -> str:
    return _("候补第 %(position)s 位") % {"position": position}


@dataclass(frozen=True)
class SessionRow:
    """One session of a class as a trainee sees it, with their own booking."""

    pk: int
    title: str
    time_label: str
    closes_label: str
    place: str
    is_online: bool
    meeting_url: str  # only for a confirmed seat
    notes: str
    seats: int
    seats_left: int
    seats_left_for_me: int
    is_cancelled: bool
    cancel_reason: str
    booking_id: int | None
    booking_status: str  # "", or a Booking.Status
    booking_label: str
    can_book: bool
    can_cancel: bool
    can_check_in: bool  # a confirmed seat, inside the self check-in window
    contact: str  # whom to ask once the cut-off has passed


def class_sessions_context(
    training_class: TrainingClass, user: User, now: datetime | None = None
) -> dict:
    """The class's sessions still to come (cancelled ones too, marked), each with
    seats left in total and for this trainee, and their booking."""
    now = now or timezone.now()
    sessions = list(
        ClassSession.objects.filter(training_class=training_class, ends_at__gt=now)
        .select_related("practice_site")
        .order_by("starts_at", "pk")
    )
    mine: dict[int, Booking] = {}
    # In booking order: the last one of a session is the one that counts.
    for made in Booking.objects.filter(
        trainee=user, session_id__in=[s.pk for s in sessions]
    ).order_by("created_at", "pk"):
        mine[made.session_id] = made
    return {
        "training_class": training_class,
        "rows": [_session_row(s, mine.get(s.pk), user, now) for s in sessions],
    }


def _session_row(
    session: ClassSession, made: Booking | None, user: User, now: datetime
) -> SessionRow:
    live = made is not None and made.is_live
    confirmed = made is not None and made.status == Status.CONFIRMED
    is_open = session.booking_is_open(now)
    if made is None:
        label = ""
    elif made.status == Status.WAITLISTED:
        label = waitlist_label(booking.waitlist_position(made))
    else:
        label = made.get_status_display()
    # Without unit quotas (no reserved seats) the open pool is all a person may
    # take: no need to ask the engine about quotas.
    left_for_me = (
        booking.seats_left_for(session, user)
        if session.reserved_seats
        else session.open_seats_left
    )
    return SessionRow(
        pk=session.pk,
        title=session.title,
        time_label=time_label(session.starts_at, session.ends_at),
        closes_label=_closes_label(session.booking_closes_at),
        place=session.place,
        is_online=session.is_online,
        meeting_url=session.meeting_url if confirmed else "",
        notes=session.notes,
        seats=session.seats,
        seats_left=session.seats_left,
        seats_left_for_me=0 if session.is_cancelled else left_for_me,
        is_cancelled=session.is_cancelled,
        cancel_reason=session.cancel_reason,
        booking_id=made.pk if made is not None else None,
        booking_status=made.status if made is not None else "",
        booking_label=label,
        can_book=is_open and not live,
        can_cancel=is_open and live,
        can_check_in=confirmed
        and not session.is_cancelled
        and checkin_window.window_is_open(session.starts_at, now),
        contact=session_contact(session)
        if live and not is_open and not session.is_cancelled
        else "",
    )


# --- 我的预约 on 我的学习 --------------------------------------------------------------


@dataclass(frozen=True)
class MyBookingRow:
    """One of the trainee's bookings on 我的学习."""

    booking_id: int
    status: str
    status_label: str
    news: str  # "promoted", "session_cancelled" or ""
    news_label: str
    cancel_reason: str
    course_title: str
    session_title: str
    time_label: str
    place: str
    sessions_url: str


_MY_BOOKING = {
    "pk": "pk",
    "status": "status",
    "promoted_at": "promoted_at",
    "starts_at": "session__starts_at",
    "ends_at": "session__ends_at",
    "session_cancelled_at": "session__cancelled_at",
    "cancel_reason": "session__cancel_reason",
    "class_id": "session__classsession__training_class_id",
    "course_title": "session__classsession__training_class__course__title",
    "class_number": "session__classsession__training_class__number",
    "title": "session__classsession__title",
    "site_name": "session__classsession__practice_site__name",
    "site_address": "session__classsession__practice_site__address",
}


def _ahead_in_line() -> Subquery:
    """How many wait before a waitlisted booking (booking.waitlist_position less
    one), as a subquery, so a page of bookings costs one query."""
    ahead = (
        Booking.objects.waitlisted()
        .filter(
            session_id=OuterRef("session_id"),
            queue_number__lt=OuterRef("queue_number"),
        )
        .order_by()
        .values("session_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(ahead, output_field=IntegerField()), 0)


def my_bookings(user: User, now: datetime | None = None) -> list[MyBookingRow]:
    """The trainee's live bookings of class sessions still to come, soonest first,
    and the bookings of sessions cancelled in the last days (marked so); a seat won
    from the waitlist in the last days says so. One query."""
    now = now or timezone.now()
    since = now - RECENT_NEWS
    rows = (
        Booking.objects.filter(
            trainee=user,
            session__ends_at__gt=now,
            session__classsession__isnull=False,
        )
        .filter(
            Q(status__in=Booking.LIVE_STATUSES)
            | Q(
                status=Status.CANCELLED,
                session__cancelled_at__gte=since,
                # cancelled with the session, not by the trainee before it
                cancelled_at=F("session__cancelled_at"),
            )
        )
        .annotate(ahead=_ahead_in_line())
        .order_by("session__starts_at", "pk")
        .values("ahead", *_MY_BOOKING.values())
    )
    statuses = {value: str(label) for value, label in Status.choices}
    sessions_url = reverse("courses:class_sessions", args=[0]).replace("/0/", "/{}/")
    online = _("线上")
    result = []
    for row in rows:
        values = {name: row[lookup] for name, lookup in _MY_BOOKING.items()}
        status = values["status"]
        news = ""
        status_label = statuses[status]
        if values["session_cancelled_at"] is not None:
            news = "session_cancelled"
        elif status == Status.WAITLISTED:
            status_label = waitlist_label(row["ahead"] + 1)
        elif values["promoted_at"] and values["promoted_at"] >= since:
            news = "promoted"
        place = online
        if values["site_name"]:
            place = f"{values['site_name']}（{values['site_address']}）"
        result.append(
            MyBookingRow(
                booking_id=values["pk"],
                status=status,
                status_label=status_label,
                news=news,
                news_label={
                    "promoted": _("候补已转为预约成功"),
                    "session_cancelled": _("场次已取消"),
                }.get(news, ""),
                cancel_reason=values["cancel_reason"],
                course_title=_("%(course)s（第 %(number)s 期）")
                % {
                    "course": values["course_title"],
                    "number": values["class_number"],
                },
                session_title=values["title"],
                time_label=time_label(values["starts_at"], values["ends_at"]),
                place=place,
                sessions_url=sessions_url.format(values["class_id"]),
            )
        )
    return result


def classes_with_sessions(class_ids: list[int], now: datetime | None = None) -> set:
    """Which of these classes have sessions still to come (one query)."""
    if not class_ids:
        return set()
    return set(
        ClassSession.objects.filter(
            training_class_id__in=class_ids, ends_at__gt=now or timezone.now()
        )
        .values_list("training_class_id", flat=True)
        .distinct()
    )
