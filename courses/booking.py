"""The booking engine: seats, waitlist, promotion, unit quotas and cut-off for any
BookableSession. It knows a session, not a course: who may book is the caller's
rule (`Refusal`), passed in and asked inside the transaction.

Every operation locks the session row first (FOR NO KEY UPDATE on PostgreSQL;
SQLite's BEGIN IMMEDIATE already serialises writers), so a booking, a
cancellation, a promotion and a quota release on one session happen one after the
other. The seat itself still moves by conditional UPDATE, and check constraints
keep the counters within the seats: were the lock ever lost, the database would
refuse the overbooking, not allow it. Whatever leaves the database (an e-mail)
is one job per event, sent at most once, and never before the booking commits:
with the database as the queue the job is written in the booking's own
transaction (one commit, not two, in a booking rush), otherwise it is queued
after commit.
"""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses.models import BookableSession, Booking, BookingEvent, SeatQuota
from school.models import OrgUnit, User

Status = Booking.Status
Source = Booking.Source
Kind = BookingEvent.Kind

# Why a person may not book a session, or None: the caller's audience rule. It is
# given the session as the caller passed it (a ClassSession, say), and asked in the
# booking's transaction before the session is locked.
Refusal = Callable[[BookableSession, User], str | None]

# Unit quotas with no release time of their own open to everyone this long before
# the booking cut-off.
DEFAULT_QUOTA_RELEASE_BEFORE_CUTOFF = timedelta(hours=24)

# Kinds of event the booked person hears about by e-mail.
NOTIFIED_KINDS = frozenset(
    {
        Kind.BOOKED,
        Kind.WAITLISTED,
        Kind.PROMOTED,
        Kind.CANCELLED,
        Kind.RELEASED,
        Kind.SESSION_CANCELLED,
        Kind.RESCHEDULED,
        Kind.WALK_IN,
    }
)


def _lock(session: BookableSession) -> BookableSession:
    return BookableSession.objects.select_for_update(no_key=True).get(pk=session.pk)


def _record(booking: Booking, kind: str, actor: User | None, note: str = ""):
    event = BookingEvent.objects.create(
        booking=booking, kind=kind, actor=actor, note=note[:200]
    )
    if kind in NOTIFIED_KINDS:
        if _queue_is_this_database():
            _queue_notice(event.pk)
        else:
            transaction.on_commit(lambda: _queue_notice(event.pk))
    return event


def _queue_is_this_database() -> bool:
    """Whether a job queued now is a row in the default database, which a worker
    sees only once the transaction that wrote it commits (and never if it rolls
    back). A synchronous queue runs the job at once, and Redis sees it at once:
    both wait for the commit."""
    from django_q.conf import Conf

    return bool(Conf.ORM == "default" and not Conf.SYNC)


def _queue_notice(event_id: int) -> None:
    from django_q.tasks import async_task

    # save=False: a sent notice is recorded on its event (notified_at), so the
    # queue keeps no success row of its own; a failed one is still kept.
    async_task("courses.tasks.send_booking_notice_task", event_id, save=False)


def quota_release_time(session: BookableSession) -> datetime:
    """When the session's reserved seats open to everyone."""
    return session.quota_release_at or (
        session.booking_closes_at - DEFAULT_QUOTA_RELEASE_BEFORE_CUTOFF
    )


def member_of(unit: OrgUnit, person: User) -> bool:
    """A member of the unit or of any unit beneath it (one prefix on the path)."""
    own = person.org_unit
    return own is not None and own.path.startswith(unit.path)


def _quotas_for(session: BookableSession, person: User) -> list[SeatQuota]:
    """The session's unreleased quotas the person may draw on, most specific unit
    first (a community's reservation before its street's)."""
    if person.org_unit_id is None:
        return []
    quotas = SeatQuota.objects.filter(
        session_id=session.pk, released_at__isnull=True
    ).select_related("org_unit")
    mine = [quota for quota in quotas if member_of(quota.org_unit, person)]
    return sorted(mine, key=lambda quota: -len(quota.org_unit.path))


def _take_seat(session: BookableSession, person: User) -> tuple[bool, SeatQuota | None]:
    """Take a seat for the person: from their unit's quota first, else from the
    open pool. (taken, quota drawn on)."""
    # `session` is the locked row: no reservation left, no quota to look up.
    quotas = _quotas_for(session, person) if session.reserved_seats else []
    for quota in quotas:
        drawn = SeatQuota.objects.filter(
            pk=quota.pk, released_at__isnull=True, taken__lt=F("seats")
        ).update(taken=F("taken") + 1)
        if drawn:
            BookableSession.objects.filter(pk=session.pk).update(
                confirmed_count=F("confirmed_count") + 1
            )
            return True, quota
    taken = BookableSession.objects.filter(
        pk=session.pk,
        open_seats_taken__lt=F("seats") - F("reserved_seats"),
    ).update(
        open_seats_taken=F("open_seats_taken") + 1,
        confirmed_count=F("confirmed_count") + 1,
    )
    return bool(taken), None


def _free_seat(booking: Booking) -> None:
    """Give a confirmed booking's seat back to the pool it came from (a quota seat
    returns to the open pool once its quota has been released)."""
    back_to_quota = booking.quota_id and SeatQuota.objects.filter(
        pk=booking.quota_id, released_at__isnull=True, taken__gt=0
    ).update(taken=F("taken") - 1)
    counters = {"confirmed_count": F("confirmed_count") - 1}
    if not back_to_quota:
        counters["open_seats_taken"] = F("open_seats_taken") - 1
    BookableSession.objects.filter(pk=booking.session_id).update(**counters)


def _next_queue_number(locked: BookableSession) -> int:
    """The next waitlist number. `locked` is the session row as read under the
    lock, before anything in this transaction issued a number."""
    BookableSession.objects.filter(pk=locked.pk).update(
        waitlist_issued=F("waitlist_issued") + 1
    )
    return locked.waitlist_issued + 1


def _closed_refusal(session: BookableSession, at: datetime) -> str | None:
    if session.is_cancelled:
        return _("该场次已取消。")
    if at >= session.booking_closes_at:
        return _("预约已于 %(time)s 截止。") % {
            "time": date_format(
                timezone.localtime(session.booking_closes_at), "Y-m-d H:i"
            )
        }
    return None


@transaction.atomic(durable=True)
def book(
    session: BookableSession,
    *,
    trainee: User,
    actor: User,
    rule: Refusal | None = None,
    source: str = Source.SELF,
) -> Booking:
    """Book a seat, or join the waitlist when the session is full.

    Refused, with the reason in Chinese, when the session is cancelled or past its
    cut-off, when `rule` says so, or when the person already holds a live booking.
    A walk-in, added on the day by staff, ignores the cut-off but not the seats:
    it takes a seat or is refused, it never waits.
    """
    # Asked again, in effect, by the unique constraint below; asked first, it
    # turns a second press away without queueing for the session's lock.
    if Booking.objects.live().filter(session=session, trainee=trainee).exists():
        raise ValidationError(_("已预约该场次，不能重复预约。"))
    # Asked before the lock, so that a crowd of people who may not book never
    # queues for it; a rule whose answer must hold until commit locks the rows it
    # reads (the class-session rule locks the enrolment a withdrawal would change).
    if rule is not None and (refusal := rule(session, trainee)):
        raise ValidationError(refusal)
    session = _lock(session)
    now = timezone.now()
    if source == Source.WALK_IN:
        if session.is_cancelled:
            raise ValidationError(_("该场次已取消。"))
        if now >= session.ends_at:
            raise ValidationError(_("该场次已结束。"))
    elif refusal := _closed_refusal(session, now):
        raise ValidationError(refusal)

    # The locked row's counters are current: a full session with no quota to draw
    # on goes straight to the waitlist (in a rush, most bookings do).
    open_seat = session.open_seats_taken < session.seats - session.reserved_seats
    if open_seat or session.reserved_seats:
        taken, quota = _take_seat(session, trainee)
    else:
        taken, quota = False, None
    if not taken and source == Source.WALK_IN:
        raise ValidationError(_("该场次已满，不能再加入现场学员。"))
    # A second live booking (two presses at once) passed the check above; the
    # unique constraint refuses it and the whole transaction (seat too) rolls back.
    try:
        booking = Booking.objects.create(
            session=session,
            trainee=trainee,
            source=source,
            status=Status.CONFIRMED if taken else Status.WAITLISTED,
            quota=quota,
            confirmed_at=now if taken else None,
            queue_number=None if taken else _next_queue_number(session),
            created_at=now,
        )
    except IntegrityError as error:
        raise ValidationError(_("已预约该场次，不能重复预约。")) from error
    if not taken:
        kind = Kind.WAITLISTED
    elif source == Source.WALK_IN:
        kind = Kind.WALK_IN
    else:
        kind = Kind.BOOKED
    _record(booking, kind, actor)
    return booking


def _cancel(booking: Booking, *, actor: User | None, kind: str, note: str) -> None:
    was_confirmed = booking.status == Status.CONFIRMED
    booking.status, booking.cancelled_at = Status.CANCELLED, timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    if was_confirmed:
        _free_seat(booking)
    _record(booking, kind, actor, note)


@transaction.atomic(durable=True)
def cancel_booking(
    booking: Booking,
    *,
    actor: User,
    note: str = "",
    by_staff: bool = False,
    contact: str = "",
) -> Booking:
    """Cancel a booking; a freed seat goes at once to the first on the waitlist.

    A person cancels their own only before the cut-off (after it they are told to
    contact `contact`); staff (`by_staff`) may cancel until the session ends.
    """
    session = _lock(booking.session)
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if not booking.is_live:
        raise ValidationError(_("该预约已取消。"))
    now = timezone.now()
    if by_staff:
        if now >= session.ends_at:
            raise ValidationError(_("该场次已结束，不能再取消预约。"))
    elif now >= session.booking_closes_at:
        message = _("已过取消截止时间（%(time)s），不能在线取消。") % {
            "time": date_format(
                timezone.localtime(session.booking_closes_at), "Y-m-d H:i"
            )
        }
        if contact:
            message += _("如需取消，请联系%(contact)s。") % {"contact": contact}
        raise ValidationError(message)
    _cancel(booking, actor=actor, kind=Kind.CANCELLED, note=note)
    _promote(session, now)
    return booking


def release_bookings(
    sessions: Iterable[BookableSession], *, trainee: User, actor: User, note: str = ""
) -> int:
    """Cancel the person's live bookings of these (upcoming) sessions, as when they
    withdraw from a class, and promote the waitlists. Runs inside the caller's
    transaction; sessions are locked in id order, as every other path locks one."""
    released = 0
    now = timezone.now()
    for session in sorted(sessions, key=lambda s: s.pk):
        session = _lock(session)
        for booking in Booking.objects.live().filter(session=session, trainee=trainee):
            _cancel(booking, actor=actor, kind=Kind.RELEASED, note=note)
            released += 1
        _promote(session, now)
    return released


def _seat_free(session_id: int) -> bool:
    return BookableSession.objects.filter(
        pk=session_id, confirmed_count__lt=F("seats")
    ).exists()


def _promote(session: BookableSession, now: datetime) -> list[Booking]:
    """Give free seats to the waitlist in queue order, each waiter at most once:
    a waiter who may not take the free seat (it is reserved for a unit they are
    not in) keeps their place and the next one is asked. Nothing moves once the
    session has started or been cancelled."""
    if session.is_cancelled or now >= session.starts_at:
        return []
    promoted = []
    waiting = (
        Booking.objects.waitlisted()
        .filter(session_id=session.pk)
        .select_related("trainee__org_unit")
        .order_by("queue_number")
    )
    for booking in waiting.iterator(chunk_size=100):
        if not _seat_free(session.pk):
            break
        taken, quota = _take_seat(session, booking.trainee)
        if not taken:
            continue
        moved = Booking.objects.filter(pk=booking.pk, status=Status.WAITLISTED).update(
            status=Status.CONFIRMED, quota=quota, confirmed_at=now, promoted_at=now
        )
        if not moved:  # cannot happen under the session lock; never double-promote
            raise IntegrityError(f"booking {booking.pk} left the waitlist twice")
        _record(booking, Kind.PROMOTED, None)
        promoted.append(booking)
    return promoted


@transaction.atomic(durable=True)
def promote_waitlist(session: BookableSession) -> list[Booking]:
    """Fill free seats from the waitlist. Safe to run any number of times."""
    return _promote(_lock(session), timezone.now())


@transaction.atomic(durable=True)
def change_seats(session: BookableSession, *, seats: int, actor: User) -> None:
    """Set the number of seats: never below the confirmed bookings and the seats
    reserved for units; more seats go to the waitlist at once."""
    locked = _lock(session)
    if seats < locked.confirmed_count:
        raise ValidationError(
            _("已有 %(count)s 人预约成功，座位数不能少于 %(count)s。")
            % {"count": locked.confirmed_count}
        )
    if seats < locked.reserved_seats + locked.open_seats_taken:
        raise ValidationError(
            _(
                "座位数不能少于单位预留（%(reserved)s）与已占用的开放座位（%(taken)s）之和。"
            )
            % {"reserved": locked.reserved_seats, "taken": locked.open_seats_taken}
        )
    BookableSession.objects.filter(pk=locked.pk).update(seats=seats)
    session.seats = seats
    _promote(locked, timezone.now())


@transaction.atomic(durable=True)
def reschedule(session: BookableSession, *, actor: User, note: str = "") -> None:
    """The session's time or place changed (already saved by the caller): calendar
    entries move (a higher SEQUENCE) and everyone booked is told."""
    locked = _lock(session)
    BookableSession.objects.filter(pk=locked.pk).update(sequence=F("sequence") + 1)
    for booking in Booking.objects.live().filter(session=locked):
        _record(booking, Kind.RESCHEDULED, actor, note)


@transaction.atomic(durable=True)
def cancel_session(session: BookableSession, *, actor: User, reason: str) -> int:
    """Cancel a session: every live booking is cancelled and its holder told, the
    seats are freed, calendars mark it cancelled. Returns how many were booked."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("请填写取消原因。"))
    locked = _lock(session)
    if locked.is_cancelled:
        raise ValidationError(_("该场次已取消。"))
    now = timezone.now()
    if now >= locked.ends_at:
        raise ValidationError(_("已结束的场次不能取消。"))
    bookings = list(Booking.objects.live().filter(session=locked))
    Booking.objects.filter(pk__in=[b.pk for b in bookings]).update(
        status=Status.CANCELLED, cancelled_at=now
    )
    SeatQuota.objects.filter(session=locked).update(taken=0)
    BookableSession.objects.filter(pk=locked.pk).update(
        cancelled_at=now,
        cancel_reason=reason[:200],
        confirmed_count=0,
        open_seats_taken=0,
        sequence=F("sequence") + 1,
    )
    for booking in bookings:
        _record(booking, Kind.SESSION_CANCELLED, actor, reason)
    session.cancelled_at, session.cancel_reason = now, reason[:200]
    return len(bookings)


# --- unit quotas --------------------------------------------------------------------


@transaction.atomic(durable=True)
def reserve_seats(
    session: BookableSession, *, org_unit: OrgUnit, seats: int, actor: User
) -> SeatQuota:
    """Reserve (or change the reservation of) `seats` for an org unit's members.
    The seats come out of the open pool, so only free open seats can be reserved,
    and a reservation never drops below the seats its members already hold."""
    locked = _lock(session)
    if seats < 1:
        raise ValidationError(_("预留座位数至少为 1。"))
    if locked.is_cancelled:
        raise ValidationError(_("该场次已取消。"))
    quota = SeatQuota.objects.filter(session=locked, org_unit=org_unit).first()
    if quota is not None and quota.released_at is not None:
        raise ValidationError(_("该单位的预留座位已释放，不能再修改。"))
    current = quota.seats if quota else 0
    taken = quota.taken if quota else 0
    if seats < taken:
        raise ValidationError(
            _("该单位已有 %(taken)s 人使用预留座位，预留不能少于 %(taken)s。")
            % {"taken": taken}
        )
    if locked.open_seats_left < seats - current:
        raise ValidationError(
            _("开放座位只剩 %(left)s 个，无法再预留 %(more)s 个。")
            % {"left": locked.open_seats_left, "more": seats - current}
        )
    BookableSession.objects.filter(pk=locked.pk).update(
        reserved_seats=F("reserved_seats") + (seats - current)
    )
    if quota is None:
        quota = SeatQuota.objects.create(session=locked, org_unit=org_unit, seats=seats)
    else:
        SeatQuota.objects.filter(pk=quota.pk).update(seats=seats)
        quota.seats = seats
    if seats < current:
        _promote(locked, timezone.now())
    return quota


def _release(quota: SeatQuota, now: datetime) -> bool:
    claimed = SeatQuota.objects.filter(pk=quota.pk, released_at__isnull=True).update(
        released_at=now
    )
    if not claimed:
        return False
    quota.refresh_from_db(fields=["seats", "taken"])
    BookableSession.objects.filter(pk=quota.session_id).update(
        reserved_seats=F("reserved_seats") - quota.seats,
        open_seats_taken=F("open_seats_taken") + quota.taken,
    )
    return True


@transaction.atomic(durable=True)
def release_quota(quota: SeatQuota, *, actor: User | None = None) -> bool:
    """Open a unit's unclaimed reserved seats to everyone now; the seats its members
    hold stay theirs. Idempotent."""
    session = _lock(quota.session)
    released = _release(quota, timezone.now())
    if released:
        _promote(session, timezone.now())
    return released


def release_due_quotas(at: datetime | None = None) -> int:
    """The scheduled job: release every quota whose release time has come. Each
    session is its own transaction; running it twice releases nothing twice."""
    at = at or timezone.now()
    due = (
        SeatQuota.objects.filter(released_at__isnull=True, session__cancelled_at=None)
        .filter(
            Q(session__quota_release_at__lte=at)
            | Q(
                session__quota_release_at=None,
                session__booking_closes_at__lte=at
                + DEFAULT_QUOTA_RELEASE_BEFORE_CUTOFF,
            )
        )
        .select_related("session")
        .order_by("session_id", "pk")
    )
    return sum(release_quota(quota) for quota in list(due))


# --- reads ------------------------------------------------------------------------


def seats_left_for(session: BookableSession, person: User) -> int:
    """Seats this person could take now: the open pool plus what is left of their
    units' reservations."""
    reserved = sum(quota.seats_left for quota in _quotas_for(session, person))
    return session.open_seats_left + reserved


def waitlist_position(booking: Booking) -> int | None:
    """1 for the first in line; None when not waiting."""
    if booking.status != Status.WAITLISTED:
        return None
    ahead = (
        Booking.objects.waitlisted()
        .filter(session_id=booking.session_id, queue_number__lt=booking.queue_number)
        .count()
    )
    return ahead + 1
