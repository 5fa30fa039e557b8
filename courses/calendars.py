"""Bookable sessions as iCalendar (RFC 5545), built with the `icalendar` package: a
person's private feed of their bookings of every kind (class sessions, community
activities), a practice site's feed of its class sessions, and the invitation or
cancellation an e-mail carries. What an entry says of its session comes from the
session's kind (courses.session_kinds).

One session is one calendar entry everywhere: its UID never changes
(session.calendar_uid) and its SEQUENCE is session.sequence, which the engine
raises whenever the session moves or is cancelled, so a calendar app updates the
entry it has rather than adding another. Times are written in UTC.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from icalendar import Calendar, Event, vCalAddress, vText

from courses.models import BookableSession, Booking, ClassSession
from courses.session_kinds import (
    CLASS_SESSION_RELATED,
    SessionInfo,
    describe,
    describe_sessions,
)
from school.models import PracticeSite, User

PRODID = "-//Gridschool//Class sessions//ZH"
# How long a past or cancelled session stays in a feed, so that a calendar that
# synced it before sees it marked cancelled, not silently gone.
RECENT = timedelta(days=30)


def _calendar(name: str, method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def _url(info: SessionInfo) -> str:
    return settings.SITE_URL.rstrip("/") + info.page_path


def session_event(
    session: BookableSession,
    info: SessionInfo,
    *,
    cancelled: bool = False,
    meeting_url: str = "",
    stamp: datetime | None = None,
) -> Event:
    """The calendar entry of a session: marked CANCELLED when `cancelled` (or the
    session is). The meeting link goes in only when given (to a confirmed booker)."""
    event = Event()
    event.add("uid", session.calendar_uid)
    event.add("sequence", session.sequence)
    event.add("dtstamp", (stamp or timezone.now()).astimezone(UTC))
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    event.add("summary", info.summary)
    event.add("location", meeting_url if info.is_online and meeting_url else info.place)
    event.add("url", _url(info))
    description = [info.label]
    if meeting_url:
        description.append(_("会议链接：%(url)s") % {"url": meeting_url})
    if info.notes:
        description.append(info.notes)
    if session.is_cancelled:
        description.append(
            _("场次已取消：%(reason)s") % {"reason": session.cancel_reason}
        )
    event.add("description", "\n".join(description))
    if cancelled or session.is_cancelled:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    return event


def booking_ics(
    booking: Booking,
    *,
    cancelled: bool,
    session: BookableSession | None = None,
    info: SessionInfo | None = None,
) -> bytes:
    """The invitation (METHOD:REQUEST) or its withdrawal (METHOD:CANCEL,
    STATUS:CANCELLED) an e-mail about this booking carries. `session` and `info`
    are looked up when not given (a session of no registered kind is an error)."""
    if session is None or info is None:
        session, info = describe_sessions([booking.session_id])[booking.session_id]
    method = "CANCEL" if cancelled else "REQUEST"
    calendar = _calendar(_("预约场次"), method)
    confirmed = booking.status == Booking.Status.CONFIRMED and not cancelled
    event = session_event(
        session,
        info,
        cancelled=cancelled,
        meeting_url=info.meeting_url if confirmed else "",
    )
    # iTIP: an invitation names its organiser and the attendee it is for.
    sender_name, sender_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organiser = vCalAddress(f"mailto:{sender_address}")
    organiser.params["cn"] = vText(sender_name or _("网格学校"))
    event.add("organizer", organiser)
    if booking.trainee.email:
        attendee = vCalAddress(f"mailto:{booking.trainee.email}")
        attendee.params["cn"] = vText(booking.trainee.real_name)
        attendee.params["partstat"] = vText("ACCEPTED")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()


Entry = tuple[BookableSession, SessionInfo, bool, str]


def _sessions_calendar(name: str, entries: Iterable[Entry]) -> bytes:
    calendar = _calendar(name)
    stamp = timezone.now()
    for session, info, cancelled, meeting_url in entries:
        calendar.add_component(
            session_event(
                session, info, cancelled=cancelled, meeting_url=meeting_url, stamp=stamp
            )
        )
    return calendar.to_ical()


def personal_calendar(user: User) -> bytes:
    """A person's feed: the sessions of every kind they hold a confirmed seat in,
    and, marked CANCELLED, those they cancelled or that were cancelled, from the
    last 30 days on. A session appears once, as its latest booking says (cancelled
    and booked again is booked); a waitlisted place is not in the calendar."""
    since = timezone.now() - RECENT
    bookings = (
        Booking.objects.filter(trainee=user, session__ends_at__gt=since)
        .filter(Q(status=Booking.Status.CONFIRMED) | Q(status=Booking.Status.CANCELLED))
        .order_by("session_id", "created_at", "pk")
        .values_list("session_id", "status")
    )
    # In booking order, so the last word on a session is its latest booking's.
    latest = dict(bookings)
    described = sorted(
        describe_sessions(latest).values(),
        key=lambda pair: (pair[0].starts_at, pair[0].pk),
    )
    entries = []
    for session, info in described:
        confirmed = latest[session.pk] == Booking.Status.CONFIRMED
        live = confirmed and not session.is_cancelled
        entries.append((session, info, not live, info.meeting_url if live else ""))
    return _sessions_calendar(_("我的日程"), entries)


def site_calendar(site: PracticeSite) -> bytes:
    """A practice site's feed: its class sessions from the last 30 days on,
    cancelled ones marked CANCELLED. Public: no bookings, no meeting links."""
    sessions = (
        ClassSession.objects.filter(
            practice_site=site, ends_at__gt=timezone.now() - RECENT
        )
        .select_related(*CLASS_SESSION_RELATED)
        .order_by("starts_at", "pk")
    )
    name = _("%(site)s 实践场次") % {"site": site.name}
    return _sessions_calendar(
        name, ((s, describe(s), s.is_cancelled, "") for s in sessions)
    )
