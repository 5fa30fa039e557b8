"""Check-in: a person's personal card code that staff scan or type, and a
session's rotating short code that a booked person types in themselves. Any
bookable session: a class session, or a community activity's (whose caller passes
the activity's audience rule for walk-ins).

The card code is derived, never stored: the person's id followed by six digits of
an HMAC over the id and the card's version (CheckInCard; no row is version 0), so
everyone has a card without a row and showing it writes nothing. A reset bumps the
version and the printed code stops working. The code identifies a person to staff
who see them; it never authenticates: nothing logs anyone in with it.

A session's code is six digits of an HMAC over the session and the minute's index;
the current and the previous minute's codes are accepted, only inside the session's
check-in window.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses import booking, sessions
from courses.attendance import record_attendance
from courses.checkin_window import (
    CLOSES_AFTER_START,
    OPENS_BEFORE_START,
    window_is_open,
)
from courses.models import (
    AttendanceRecord,
    BookableSession,
    Booking,
    CheckInCard,
    ClassSession,
)
from school import throttling
from school.models import User

Status = AttendanceRecord.Status
Method = AttendanceRecord.Method

# Checked in after the start plus this grace is late (迟到).
LATE_AFTER_START = timedelta(minutes=10)
# A session's code changes every CODE_PERIOD seconds; the previous one still works.
CODE_PERIOD = 60
# Wrong session codes a trainee may type per session in SELF_TRIES_WINDOW seconds.
SELF_TRIES = 5
SELF_TRIES_WINDOW = 10 * 60

CARD_SALT = "courses.checkin-card"
SESSION_SALT = "courses.checkin-session"
MAC_DIGITS = 6
# Spaces (also full-width) and dashes a person may type between the groups.
_SEPARATORS = re.compile(r"[\s\-‐‑–—－]+")


def _six_digits(salt: str, value: str) -> str:
    number = int(salted_hmac(salt, value, algorithm="sha256").hexdigest(), 16)
    return f"{number % 10**MAC_DIGITS:0{MAC_DIGITS}d}"


# --- the personal card ----------------------------------------------------------


def card_version(person: User) -> int:
    """The version of the person's card: 0 until it is first reset (one query)."""
    found = (
        CheckInCard.objects.filter(person_id=person.pk)
        .values_list("version", flat=True)
        .first()
    )
    return found or 0


def card_code(person: User, version: int | None = None) -> str:
    """The digits of the person's card: their id, then six MAC digits."""
    if version is None:
        version = card_version(person)
    return f"{person.pk}{_six_digits(CARD_SALT, f'{person.pk}:{version}')}"


def group_digits(code: str) -> str:
    """ "12 3456 7890": groups of four from the end, for reading aloud and typing."""
    head = len(code) % 4
    groups = [code[:head]] if head else []
    groups += [code[i : i + 4] for i in range(head, len(code), 4)]
    return " ".join(groups)


def parse_card_code(text: str) -> str | None:
    """The digits of a typed or scanned card code, spaces and dashes ignored; None
    when it cannot be one."""
    digits = _SEPARATORS.sub("", text or "")
    if not digits.isascii() or not digits.isdigit():
        return None
    if not MAC_DIGITS < len(digits) <= MAC_DIGITS + 12:
        return None
    return digits


def person_for_card_code(text: str) -> User | None:
    """The active person whose current card this code is, or None: a code of an
    earlier version (the card was reset), a wrong digit or an unknown id."""
    digits = parse_card_code(text)
    if digits is None:
        return None
    pk, mac = int(digits[:-MAC_DIGITS]), digits[-MAC_DIGITS:]
    person = (
        User.objects.filter(pk=pk, is_active=True)
        .select_related("check_in_card")
        .first()
    )
    if person is None:
        return None
    try:
        version = person.check_in_card.version
    except CheckInCard.DoesNotExist:
        version = 0
    expected = _six_digits(CARD_SALT, f"{pk}:{version}")
    return person if constant_time_compare(mac, expected) else None


@transaction.atomic(durable=True)
def reset_card(person: User, *, actor: User) -> CheckInCard:
    """The person replaces their card: the version goes up and the old code (a
    lost or copied card) stops working. Only the person themselves resets it."""
    if actor.pk != person.pk:
        raise ValidationError(_("只能重置自己的签到卡。"))
    card, _created = CheckInCard.objects.get_or_create(person=person)
    CheckInCard.objects.filter(pk=card.pk).update(
        version=F("version") + 1, reset_at=timezone.now()
    )
    card.refresh_from_db()
    return card


# --- the session's window and rotating code ------------------------------------


def window_of(session) -> tuple[datetime, datetime]:
    """When check-in opens and closes for a session."""
    return (
        session.starts_at - OPENS_BEFORE_START,
        session.starts_at + CLOSES_AFTER_START,
    )


def in_window(session, at: datetime | None = None) -> bool:
    """Whether the session's check-in window is open (now, or at `at`)."""
    return window_is_open(session.starts_at, at)


def window_label(session) -> str:
    """ "18:30—19:30": the window in local time, for the pages."""
    opens, closes = window_of(session)
    opens_at = date_format(timezone.localtime(opens), "H:i")
    return f"{opens_at}—{date_format(timezone.localtime(closes), 'H:i')}"


def status_by_clock(session, at: datetime | None = None) -> str:
    """Present, or late once the grace after the start has passed."""
    late = (at or timezone.now()) > session.starts_at + LATE_AFTER_START
    return Status.LATE if late else Status.PRESENT


def _period(at: datetime) -> int:
    return int(at.timestamp()) // CODE_PERIOD


def session_code(session, at: datetime | None = None) -> str:
    """The session's six-digit code for the minute of `at`."""
    return _six_digits(SESSION_SALT, f"{session.pk}:{_period(at or timezone.now())}")


def seconds_to_next_code(at: datetime | None = None) -> int:
    """Seconds until every session's code changes (the screen fetches it then)."""
    at = at or timezone.now()
    return max(1, CODE_PERIOD - int(at.timestamp()) % CODE_PERIOD)


def session_code_matches(session, typed: str, at: datetime | None = None) -> bool:
    """The current code or the one before it (a trainee typing as it changes)."""
    code = _SEPARATORS.sub("", typed or "")
    if len(code) != MAC_DIGITS or not code.isascii() or not code.isdigit():
        return False
    index = _period(at or timezone.now())
    return any(
        constant_time_compare(
            code, _six_digits(SESSION_SALT, f"{session.pk}:{index - back}")
        )
        for back in (0, 1)
    )


# --- checking in -----------------------------------------------------------------


@dataclass(frozen=True)
class CheckIn:
    """What a check-in did: whose record, whether it was there already, and whether
    the person was seated as a walk-in first."""

    record: AttendanceRecord
    already: bool = False
    walked_in: bool = False


def _attended(session, trainee: User) -> AttendanceRecord | None:
    return (
        AttendanceRecord.objects.attended()
        .filter(session_id=session.pk, trainee=trainee)
        .first()
    )


def scan_refusal(session: BookableSession, at: datetime | None = None) -> str | None:
    """Why staff cannot scan people into this session now, or None: from the
    window's opening to the session's end."""
    at = at or timezone.now()
    if session.is_cancelled:
        return _("该场次已取消，不能签到。")
    opens, _closes = window_of(session)
    if at < opens:
        return _("签到尚未开始：开始前 %(minutes)s 分钟（%(time)s）起可签到。") % {
            "minutes": int(OPENS_BEFORE_START.total_seconds() // 60),
            "time": date_format(timezone.localtime(opens), "H:i"),
        }
    if at >= session.ends_at:
        return _("该场次已结束，不能再扫码签到；请在点名表中修改出勤。")
    return None


def scan_check_in(
    session: BookableSession,
    *,
    code: str,
    actor: User,
    rule: booking.Refusal | None = None,
) -> CheckIn:
    """Staff check in the person whose card this is: present, or late by the
    clock. A person who did not book but whom `rule` (the session's audience rule,
    asked by the booking engine) lets in is seated as a walk-in first, if a seat
    is free; a class session's rule, by default, is "enrolled in the class".
    Refused, changing nothing, for a wrong or retired code, or a person the rule
    turns away (or, for a session without a rule, anyone who did not book)."""
    if refusal := scan_refusal(session):
        raise ValidationError(refusal)
    person = person_for_card_code(code)
    if person is None:
        raise ValidationError(
            _("签到码无效：请核对数字，或该签到卡已被重置（旧卡作废）。")
        )
    if found := _attended(session, person):
        return CheckIn(record=found, already=True)
    walked_in = False
    confirmed = Booking.objects.confirmed().filter(
        session_id=session.pk, trainee=person
    )
    if not confirmed.exists():
        rule = _walk_in_rule(session, person, rule)
        waiting = Booking.objects.waitlisted().filter(
            session_id=session.pk, trainee=person
        )
        if waiting.exists():
            raise ValidationError(
                _("%(name)s在候补名单中，还没有座位，不能签到。")
                % {"name": person.real_name}
            )
        try:
            booking.book(
                session,
                trainee=person,
                actor=actor,
                rule=rule,
                source=Booking.Source.WALK_IN,
            )
        except ValidationError as error:
            # Two staff scanning the same card at once: the other one seated them.
            if confirmed.exists():
                return _scan_mark(session, person, actor)
            raise ValidationError(
                _("%(name)s没有预约本场，现场加入未成功：%(reason)s")
                % {"name": person.real_name, "reason": "；".join(error.messages)}
            ) from error
        walked_in = True
    done = _scan_mark(session, person, actor)
    return CheckIn(record=done.record, already=done.already, walked_in=walked_in)


def _walk_in_rule(
    session: BookableSession, person: User, rule: booking.Refusal | None
) -> booking.Refusal:
    """The rule that seats this person as a walk-in, once it has been asked (and
    has let them in) outside the booking's transaction; the booking asks again,
    in its transaction, before it takes the seat."""
    if rule is None:
        if not isinstance(session, ClassSession):
            raise ValidationError(
                _("%(name)s没有预约本场，不能签到。请先为其报名，或在点名表中记录。")
                % {"name": person.real_name}
            )
        # Asked without a lock: the class rule locks the enrolment, which only
        # the booking's transaction may do.
        if not sessions.holds_seat(person, session.training_class_id):
            raise ValidationError(
                _("%(name)s没有报名%(class)s（或报名尚未通过审核），不能签到。")
                % {"name": person.real_name, "class": session.training_class}
            )
        return sessions.class_session_refusal
    # Any rule may lock what it reads, so it is asked in a transaction of its own.
    with transaction.atomic():
        refusal = rule(session, person)
    if refusal:
        raise ValidationError(
            _("%(name)s没有预约本场，不能现场加入：%(reason)s")
            % {"name": person.real_name, "reason": refusal}
        )
    return rule


def _scan_mark(session: BookableSession, person: User, actor: User) -> CheckIn:
    record = record_attendance(
        session,
        trainee=person,
        status=status_by_clock(session),
        actor=actor,
        method=Method.SCAN,
    )
    return CheckIn(record=record)


def _tries_key(session, trainee: User) -> str:
    return f"checkin-self:{trainee.pk}:{session.pk}"


def _too_many_tries() -> str:
    minutes = -(-throttling.seconds_left(SELF_TRIES_WINDOW) // 60)
    return _(
        "签到码输错次数过多，请 %(minutes)s 分钟后再试，或请现场工作人员为您签到。"
    ) % {"minutes": minutes}


def self_check_in_refusal(session: BookableSession, trainee: User) -> str | None:
    """Why this trainee cannot check themselves in to this session now, or None
    (the code aside): cancelled, outside the window, not booked, too many tries."""
    if session.is_cancelled:
        return _("该场次已取消。")
    if not in_window(session):
        return _(
            "现在不在签到时间内。自助签到时间为 %(window)s（开始前 %(before)s 分钟至开始后 %(after)s 分钟）。"
        ) % {
            "window": window_label(session),
            "before": int(OPENS_BEFORE_START.total_seconds() // 60),
            "after": int(CLOSES_AFTER_START.total_seconds() // 60),
        }
    if (
        not Booking.objects.confirmed()
        .filter(session_id=session.pk, trainee=trainee)
        .exists()
    ):
        return _("您没有预约本场次（或仍在候补），不能自助签到。请联系现场工作人员。")
    tries = throttling.count(_tries_key(session, trainee), window=SELF_TRIES_WINDOW)
    if tries >= SELF_TRIES:
        return _too_many_tries()
    return None


def self_check_in(session: BookableSession, *, trainee: User, code: str) -> CheckIn:
    """A booked trainee checks in with the code shown in the room: present, or
    late by the clock. Refused, marking nothing, outside the window, without a
    confirmed booking, with a wrong or stale code (counted: SELF_TRIES per
    SELF_TRIES_WINDOW), or after too many wrong codes."""
    if refusal := self_check_in_refusal(session, trainee):
        raise ValidationError(refusal)
    if found := _attended(session, trainee):
        return CheckIn(record=found, already=True)
    # Every try is counted before the code is compared, by one atomic upsert, so
    # that simultaneous guesses cannot slip past the limit between count and hit.
    tries = throttling.hit(_tries_key(session, trainee), window=SELF_TRIES_WINDOW)
    if tries > SELF_TRIES:
        raise ValidationError(_too_many_tries())
    if not session_code_matches(session, code):
        raise ValidationError(
            _("签到码不正确或已过期，请看现场屏幕上的最新签到码再输入。")
        )
    record = record_attendance(
        session,
        trainee=trainee,
        status=status_by_clock(session),
        actor=trainee,
        method=Method.SELF,
    )
    return CheckIn(record=record)


def attended_count(session) -> int:
    """How many have been checked in (present or late) so far."""
    return AttendanceRecord.objects.attended().filter(session_id=session.pk).count()
