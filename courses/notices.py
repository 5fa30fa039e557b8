"""E-mails about bookings: one per booking event of a notified kind, and the
reminder the day before a session. Each is sent at most once: claimed by a
conditional UPDATE (BookingEvent.notified_at, Booking.reminded_at) in a short
transaction of its own, sent outside any transaction (a slow mail server holds no
database lock), and the claim withdrawn if sending fails, so that a retry sends it.

Confirmations carry the session as an iCalendar invitation (METHOD:REQUEST) and
cancellations as its withdrawal (METHOD:CANCEL), with the session's stable UID and
SEQUENCE, so a calendar app moves or removes the one entry it already has.

Each notice and reminder is also written to the person's 消息中心 (school.notifications,
once per event or booking by its key), e-mail address or not; its e-mail is this
module's own (with the calendar attachment), so the notification skips the e-mail
channel.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from courses import booking
from courses.calendars import booking_ics
from courses.models import BookableSession, Booking, BookingEvent
from courses.selectors.bookings import time_label
from courses.session_kinds import SessionInfo, describe_sessions
from school.models import Notification
from school.notifications import notify

logger = logging.getLogger(__name__)

Kind = BookingEvent.Kind

# E-mails are written in the school's language, whatever the language of the
# request that caused them (a job has none).
NOTICE_LANGUAGE = "zh-hans"

# Each notified kind: its e-mail template (emails/<name>-subject.txt|-body.txt) and
# the calendar attachment it carries: "request" (add or move the entry), "cancel"
# (remove it) or None.
NOTICES: dict[str, tuple[str, str | None]] = {
    Kind.BOOKED: ("booking_confirmed", "request"),
    Kind.WALK_IN: ("booking_walk_in", "request"),
    Kind.WAITLISTED: ("booking_waitlisted", None),
    Kind.PROMOTED: ("booking_promoted", "request"),
    Kind.CANCELLED: ("booking_cancelled", "cancel"),
    Kind.RELEASED: ("booking_released", "cancel"),
    Kind.SESSION_CANCELLED: ("booking_session_cancelled", "cancel"),
    Kind.RESCHEDULED: ("booking_rescheduled", "request"),
}
assert set(NOTICES) == booking.NOTIFIED_KINDS  # noqa: S101 - a module invariant

REMINDER_TEMPLATE = "booking_reminder"
# A booking confirmed this recently is not reminded yet: its confirmation has just
# said the same. (A session that starts within this time after the booking gets
# no reminder at all.)
REMINDER_QUIET = timedelta(hours=1)


@dataclass(frozen=True)
class _Mail:
    subject: str
    body: str
    to: str
    ics: bytes | None
    method: str | None


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def notice_context(
    booking_: Booking, session: BookableSession, info: SessionInfo, **extra
) -> dict:
    """What every booking e-mail says of the booking and its session, of any kind."""
    return {
        "booking": booking_,
        "session": session,
        "trainee": booking_.trainee,
        "kind_name": info.kind_name,
        "label": info.label,
        "session_title": info.title,
        "time_label": time_label(session.starts_at, session.ends_at),
        "place": info.place,
        "is_online": info.is_online,
        # The meeting link is for confirmed seats only.
        "meeting_url": info.meeting_url
        if info.is_online and booking_.status == Booking.Status.CONFIRMED
        else "",
        "notes": info.notes,
        "page_url": _absolute(info.page_path),
        "organiser_name": info.organiser_name,
        **extra,
    }


def _notice_context(event: BookingEvent) -> dict | None:
    """What the notice of this event says, or None when the session is of no
    registered kind or over (news about a past session helps no one)."""
    booking_ = event.booking
    described = describe_sessions([booking_.session_id]).get(booking_.session_id)
    if described is None:
        return None
    session, info = described
    if timezone.now() >= session.ends_at:
        return None
    context = notice_context(
        booking_,
        session,
        info,
        event=event,
        waitlist_position=booking.waitlist_position(booking_),
        cancel_reason=session.cancel_reason,
        note=event.note,
        contact=info.contact,
    )
    context["info"] = info
    return context


def _notice_mail(event: BookingEvent, context: dict) -> _Mail | None:
    """The e-mail about this event, or None when there is nobody to tell."""
    booking_ = event.booking
    if not booking_.trainee.email:
        return None
    session, info = context["session"], context["info"]
    template, attachment = NOTICES[event.kind]
    if attachment == "request" and (
        booking_.status != Booking.Status.CONFIRMED or session.is_cancelled
    ):
        # A later change (a cancellation) overtook this event: do not put back an
        # entry the cancellation's e-mail removes. A waitlisted booking of a
        # rescheduled session has no entry to move either.
        attachment = None
    return _render(template, context, booking_, attachment, session, info)


def _notify_in_app(
    booking_: Booking, context: dict, *, template: str, key: str, kind: str
) -> None:
    """The notice in the person's 消息中心: the e-mail's subject, when and where,
    and the page of the booking; once per key."""
    with translation.override(NOTICE_LANGUAGE):
        title = " ".join(
            render_to_string(f"emails/{template}-subject.txt", context).split()
        )
        lines = [_("时间：%(when)s") % {"when": context["time_label"]}]
        if context["place"]:
            lines.append(_("地点：%(place)s") % {"place": context["place"]})
        if context.get("cancel_reason") and context["session"].is_cancelled:
            lines.append(_("原因：%(reason)s") % {"reason": context["cancel_reason"]})
    notify(
        booking_.trainee,
        kind=kind,
        title=title,
        body="\n".join(lines),
        url=context["info"].page_path,
        key=key,
        email=False,  # this module's e-mail, with its calendar attachment
    )


def _render(template, context, booking_, attachment, session, info) -> _Mail:
    with translation.override(NOTICE_LANGUAGE):
        subject = render_to_string(f"emails/{template}-subject.txt", context)
        body = render_to_string(f"emails/{template}-body.txt", context)
        ics = None
        if attachment is not None:
            ics = booking_ics(
                booking_,
                cancelled=attachment == "cancel",
                session=session,
                info=info,
            )
    return _Mail(
        subject=" ".join(subject.split()),
        body=body,
        to=booking_.trainee.email,
        ics=ics,
        method="CANCEL" if attachment == "cancel" else "REQUEST",
    )


def _send(mail: _Mail) -> None:
    message = EmailMessage(mail.subject, mail.body, None, [mail.to])
    if mail.ics is not None:
        message.attach(
            "invite.ics" if mail.method == "REQUEST" else "cancel.ics",
            mail.ics.decode(),
            f"text/calendar; method={mail.method}; charset=utf-8",
        )
    message.send()


def send_booking_notice(event_id: int) -> bool:
    """E-mail the booked person about one booking event, at most once. True when
    sent; False when already sent (or being sent), not a notified kind, or nobody
    to tell. Raises if sending fails, the claim withdrawn so a retry sends."""
    event = (
        BookingEvent.objects.filter(pk=event_id, kind__in=list(NOTICES))
        .select_related("booking__trainee")
        .first()
    )
    if event is None:
        return False
    context = _notice_context(event)
    if context is None:
        return False
    _notify_in_app(
        event.booking,
        context,
        template=NOTICES[event.kind][0],
        key=f"booking-event-{event.pk}",
        kind=Notification.Kind.WAITLIST_PROMOTED
        if event.kind == Kind.PROMOTED
        else Notification.Kind.BOOKING,
    )
    if event.notified_at is not None:
        return False
    mail = _notice_mail(event, context)
    if mail is None:
        return False
    claimed_at = timezone.now()
    claimed = BookingEvent.objects.filter(pk=event.pk, notified_at=None).update(
        notified_at=claimed_at
    )
    if not claimed:
        return False
    try:
        _send(mail)
    except Exception:
        BookingEvent.objects.filter(pk=event.pk, notified_at=claimed_at).update(
            notified_at=None
        )
        raise
    return True


# --- reminders --------------------------------------------------------------------


def _reminder_window(now: datetime) -> tuple[datetime, datetime]:
    """Sessions starting from now to the end of tomorrow (local dates). Tomorrow's
    are the reminders proper; today's are those a late or missed run still owes."""
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    end = timezone.make_aware(
        datetime.combine(tomorrow + timedelta(days=1), datetime.min.time())
    )
    return now, end


def _claim_reminder(booking_: Booking, now: datetime) -> BookingEvent | None:
    """Mark the booking reminded and record it, in one short transaction: None when
    another run claimed it first (or it was cancelled meanwhile)."""
    with transaction.atomic():
        claimed = Booking.objects.filter(
            pk=booking_.pk, reminded_at=None, status=Booking.Status.CONFIRMED
        ).update(reminded_at=now)
        if not claimed:
            return None
        return BookingEvent.objects.create(
            booking=booking_, kind=Kind.REMINDED, notified_at=now
        )


def _unclaim_reminder(booking_: Booking, event: BookingEvent, now: datetime) -> None:
    with transaction.atomic():
        event.delete()
        Booking.objects.filter(pk=booking_.pk, reminded_at=now).update(reminded_at=None)


def send_session_reminders(now: datetime | None = None) -> int:
    """The hourly job: remind each confirmed booker of a session starting tomorrow
    (local date) in their 消息中心 and by e-mail (if they have an address), once. A
    run that comes late also reminds of sessions later today not yet reminded; a
    session already started is not reminded. Run twice, or twice at once, nobody
    is reminded twice. Returns how many were reminded."""
    now = now or timezone.now()
    start, end = _reminder_window(now)
    due = (
        Booking.objects.confirmed()
        .filter(
            reminded_at=None,
            session__starts_at__gt=start,
            session__starts_at__lt=end,
            session__cancelled_at=None,
            confirmed_at__lte=now - REMINDER_QUIET,
        )
        .select_related("trainee")
        .order_by("session__starts_at", "pk")
    )
    due = list(due)
    # One query per kind of session for the lot, each session described once.
    described = describe_sessions({booking_.session_id for booking_ in due})
    sent = 0
    for booking_ in due:
        if booking_.session_id not in described:
            continue  # a kind no app registered: nothing to say of it
        session, info = described[booking_.session_id]
        context = notice_context(
            booking_, session, info, contact=info.contact, is_reminder=True
        )
        context["info"] = info
        mail = None
        if booking_.trainee.email:
            mail = _render(REMINDER_TEMPLATE, context, booking_, None, session, info)
        event = _claim_reminder(booking_, now)
        if event is None:
            continue
        _notify_in_app(
            booking_,
            context,
            template=REMINDER_TEMPLATE,
            key=f"reminder-{booking_.pk}",
            kind=Notification.Kind.REMINDER,
        )
        if mail is None:
            sent += 1  # reminded on the site only
            continue
        try:
            _send(mail)
        except Exception:
            # One unreachable mailbox must not stop the others; the next run
            # tries this one again.
            _unclaim_reminder(booking_, event, now)
            logger.exception("Reminder for booking %s", booking_.pk)
            continue
        sent += 1
    return sent
