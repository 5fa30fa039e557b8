"""Races on a session's seats: a crowd pressing 预约 at the same instant,
cancellations racing the waitlist's promotion, seats lowered mid-rush, unit quotas
and their release, one trainee double-clicking. Real threads and forked processes
released by a barrier, on the test database (file SQLite or PostgreSQL): the
database decides who wins, and afterwards the counters equal the rows and no
session holds more confirmed bookings than seats.

Every call is a job (a tuple of ids) run by `_run`, which turns its outcome into
plain data, so threads and processes report alike. PostgreSQL takes at most
`max_connections` (100 by default) clients at once, so there the jobs share
`PG_THREADS` threads, each running its share one after another; SQLite takes one
thread per job.
"""

import itertools
import re
from collections import Counter
from collections.abc import Sequence

from django.core.exceptions import ValidationError

import pytest

from courses import booking, services, sessions
from courses.models import (
    BookableSession,
    Booking,
    BookingEvent,
    ClassSession,
    Enrollment,
    SeatQuota,
)
from school.models import OrgUnit, User
from tests.concurrency import run_jobs
from tests.courses.factories import ClassSessionFactory
from tests.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db(transaction=True)

Status = Booking.Status
Kind = BookingEvent.Kind

CROWD = 200
PROCESSES = 40
PG_THREADS = 40
ALREADY_CANCELLED = "该预约已取消。"
ALREADY_BOOKED = "已预约该场次，不能重复预约。"
SEATS_BELOW_CONFIRMED = re.compile(r"已有 (\d+) 人预约成功，座位数不能少于 \1。")

_phones = itertools.count(1)


# --- jobs ----------------------------------------------------------------------------


def _run(job: tuple) -> tuple:
    """Do one job on this thread's own connection: (job, "ok", value),
    (job, "refused", messages) for a ValidationError, (job, "error", repr) for
    anything else."""
    kind, *ids = job
    try:
        if kind == "book":
            session = ClassSession.objects.get(pk=ids[0])
            trainee = User.objects.get(pk=ids[1])
            made = sessions.book_session(session, trainee=trainee, actor=trainee)
            value = (made.pk, made.status, made.queue_number)
        elif kind == "cancel":
            mine = Booking.objects.select_related("trainee").get(pk=ids[0])
            sessions.cancel_my_booking(mine, trainee=mine.trainee)
            value = mine.pk
        elif kind == "promote":
            promoted = booking.promote_waitlist(ClassSession.objects.get(pk=ids[0]))
            value = [b.pk for b in promoted]
        elif kind == "seats":
            booking.change_seats(
                ClassSession.objects.get(pk=ids[0]),
                seats=ids[1],
                actor=User.objects.get(pk=ids[2]),
            )
            value = ids[1]
        elif kind == "release":
            value = booking.release_quota(SeatQuota.objects.get(pk=ids[0]))
        elif kind == "withdraw":
            enrollment = Enrollment.objects.select_related("trainee").get(pk=ids[0])
            services.withdraw_enrollment(enrollment, actor=enrollment.trainee)
            value = enrollment.pk
        else:
            raise ValueError(kind)
    except ValidationError as error:
        return job, "refused", error.messages
    except Exception as error:
        return job, "error", repr(error)
    return job, "ok", value


def race(jobs: Sequence[tuple], *, processes: bool = False) -> list[tuple]:
    """Run the jobs at once: each in its own forked process, or on threads (one per
    job on SQLite, PG_THREADS sharing them on PostgreSQL). Outcomes as `_run`
    gives them, in no particular order."""
    outcomes = run_jobs(jobs, _run, processes=processes, pg_threads=PG_THREADS)
    errors = [o for o in outcomes if not isinstance(o, tuple) or o[1] == "error"]
    assert errors == [], errors  # no exception, no "database is locked"
    return outcomes


def _ok(outcomes: list[tuple], kind: str) -> list:
    return [
        value for (k, *_), result, value in outcomes if k == kind and result == "ok"
    ]


def _refusals(outcomes: list[tuple], kind: str) -> list[str]:
    return [
        message
        for (k, *_), result, messages in outcomes
        if k == kind and result == "refused"
        for message in messages
    ]


# --- set-up and invariants -----------------------------------------------------------


def _enrolled(training_class, n: int, org_unit: OrgUnit) -> list[User]:
    """n trainees of the unit holding a seat in the class (no password hashing)."""
    people = User.objects.bulk_create(
        [
            User(
                phone=f"136{next(_phones):08d}",
                real_name=f"抢座学员{index}",
                org_unit=org_unit,
            )
            for index in range(n)
        ]
    )
    people = list(User.objects.filter(pk__in=[p.pk for p in people]).order_by("pk"))
    Enrollment.objects.bulk_create(
        Enrollment(
            training_class=training_class,
            trainee=person,
            status=Enrollment.Status.ACTIVE,
        )
        for person in people
    )
    return people


def _session(training_class, seats: int) -> ClassSession:
    return ClassSessionFactory(training_class=training_class, seats=seats)


def _book_all(session: ClassSession, people: list[User]) -> list[Booking]:
    return [sessions.book_session(session, trainee=p, actor=p) for p in people]


def assert_counters_equal_rows(session: BookableSession) -> BookableSession:
    """The session's counters are its rows: confirmed seats (open pool plus
    quotas), waitlist numbers issued, never more confirmed than seats."""
    session = BookableSession.objects.get(pk=session.pk)
    bookings = Booking.objects.filter(session_id=session.pk)
    confirmed = bookings.filter(status=Status.CONFIRMED)
    assert session.confirmed_count == confirmed.count() <= session.seats
    from_quotas = confirmed.filter(quota__released_at__isnull=True, quota__isnull=False)
    assert session.open_seats_taken == confirmed.count() - from_quotas.count()
    for quota in SeatQuota.objects.filter(session_id=session.pk):
        if quota.released_at is None:
            assert quota.taken == confirmed.filter(quota=quota).count() <= quota.seats
    numbers = list(
        bookings.exclude(queue_number=None).values_list("queue_number", flat=True)
    )
    assert session.waitlist_issued == len(numbers) == len(set(numbers))
    live = bookings.filter(status__in=Booking.LIVE_STATUSES)
    assert live.count() == live.values("trainee").distinct().count()
    return session


def assert_waitlist_in_order(session: BookableSession) -> list[Booking]:
    """Positions 1..n, no gap, no repeat, in the order of the queue numbers."""
    waiting = list(
        Booking.objects.waitlisted()
        .filter(session_id=session.pk)
        .order_by("queue_number")
    )
    positions = [booking.waitlist_position(b) for b in waiting]
    assert positions == list(range(1, len(waiting) + 1))
    return waiting


def assert_promoted_at_most_once(session: BookableSession) -> int:
    promotions = Counter(
        BookingEvent.objects.filter(
            booking__session_id=session.pk, kind=Kind.PROMOTED
        ).values_list("booking__trainee_id", flat=True)
    )
    assert all(count == 1 for count in promotions.values()), promotions
    promoted = Booking.objects.filter(session_id=session.pk, promoted_at__isnull=False)
    assert promoted.count() == len(promotions)
    return len(promotions)


# --- (a) a crowd for 20 seats ----------------------------------------------------------


def test_two_hundred_trainees_for_twenty_seats_confirm_twenty_and_queue_the_rest(
    training_class, grid
):
    session = _session(training_class, seats=20)
    crowd = _enrolled(training_class, CROWD, grid)

    outcomes = race([("book", session.pk, person.pk) for person in crowd])

    made = _ok(outcomes, "book")
    assert len(made) == CROWD
    statuses = Counter(status for _, status, _ in made)
    assert statuses == {Status.CONFIRMED: 20, Status.WAITLISTED: CROWD - 20}
    numbers = sorted(number for _, status, number in made if number is not None)
    assert numbers == list(range(1, CROWD - 20 + 1))
    session = assert_counters_equal_rows(session)
    assert session.confirmed_count == 20 and session.waitlist_issued == CROWD - 20
    waiting = assert_waitlist_in_order(session)
    assert len(waiting) == CROWD - 20
    kinds = Counter(
        BookingEvent.objects.filter(booking__session=session).values_list(
            "kind", flat=True
        )
    )
    assert kinds == {Kind.BOOKED: 20, Kind.WAITLISTED: CROWD - 20}


def test_forty_processes_for_twenty_seats_confirm_twenty_and_queue_twenty(
    training_class, grid
):
    session = _session(training_class, seats=20)
    crowd = _enrolled(training_class, PROCESSES, grid)

    outcomes = race(
        [("book", session.pk, person.pk) for person in crowd], processes=True
    )

    made = _ok(outcomes, "book")
    assert Counter(status for _, status, _ in made) == {
        Status.CONFIRMED: 20,
        Status.WAITLISTED: PROCESSES - 20,
    }
    assert sorted(n for _, _, n in made if n is not None) == list(range(1, 21))
    session = assert_counters_equal_rows(session)
    assert len(assert_waitlist_in_order(session)) == PROCESSES - 20


# --- (b) cancellations racing the promotion ----------------------------------------------


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_cancellations_racing_promotion_never_overbook_or_promote_twice(
    training_class, grid, processes
):
    seats, rounds = 10, 3
    session = _session(training_class, seats=seats)
    _book_all(session, _enrolled(training_class, 40, grid))

    for _ in range(rounds):
        confirmed = list(
            Booking.objects.confirmed().filter(session=session).order_by("pk")
        )
        waiting = assert_waitlist_in_order(session)
        leaving, giving_up = confirmed[:3], waiting[-2:]
        next_in_line = {b.pk for b in waiting[:3]}
        jobs = [
            *(("cancel", b.pk) for b in leaving for _ in range(2)),  # double-clicked
            *(("cancel", b.pk) for b in giving_up),
            *(("promote", session.pk) for _ in range(4)),
        ]

        outcomes = race(jobs, processes=processes)

        assert sorted(_ok(outcomes, "cancel")) == sorted(
            b.pk for b in [*leaving, *giving_up]
        )
        assert _refusals(outcomes, "cancel") == [ALREADY_CANCELLED] * 3
        session = assert_counters_equal_rows(session)
        assert session.confirmed_count == seats  # the waitlist filled every seat
        now_confirmed = set(
            Booking.objects.confirmed()
            .filter(session=session)
            .values_list("pk", flat=True)
        )
        assert now_confirmed == ({b.pk for b in confirmed[3:]} | next_in_line)
        assert_waitlist_in_order(session)

    assert assert_promoted_at_most_once(session) == 3 * rounds
    assert Booking.objects.waitlisted().filter(session=session).count() == (
        30 - 5 * rounds
    )


# --- (c) seats lowered during a rush -----------------------------------------------------


def test_seats_lowered_during_a_rush_never_fall_below_the_confirmed(
    training_class, grid, school_admin
):
    session = _session(training_class, seats=30)
    crowd = _enrolled(training_class, 60, grid)
    changes = [25, 20, 15, 10, 5, 28]

    outcomes = race(
        [
            *(("book", session.pk, person.pk) for person in crowd),
            *(("seats", session.pk, n, school_admin.pk) for n in changes),
        ]
    )

    assert len(_ok(outcomes, "book")) == len(crowd)
    for message in _refusals(outcomes, "seats"):
        assert SEATS_BELOW_CONFIRMED.fullmatch(message), message
    assert len(_ok(outcomes, "seats")) + len(_refusals(outcomes, "seats")) == len(
        changes
    )
    session = assert_counters_equal_rows(session)
    assert session.seats in {30, *_ok(outcomes, "seats")}
    assert session.confirmed_count == session.seats  # 60 people filled them all
    assert_waitlist_in_order(session)

    confirmed = session.confirmed_count
    with pytest.raises(ValidationError) as refused:
        booking.change_seats(session, seats=confirmed - 1, actor=school_admin)
    assert refused.value.messages == [
        f"已有 {confirmed} 人预约成功，座位数不能少于 {confirmed}。"
    ]
    assert BookableSession.objects.get(pk=session.pk).seats == confirmed


# --- (d) unit quotas -------------------------------------------------------------------


@pytest.fixture
def street(org_units) -> OrgUnit:
    """A street of its own, with two communities' grids whose members hold the
    street's reservation."""
    street = OrgUnitFactory(name="东湖街道", kind=OrgUnit.Kind.STREET)
    for name in ("樱花社区", "翠柳社区"):
        community = OrgUnitFactory(
            parent=street, name=name, kind=OrgUnit.Kind.COMMUNITY
        )
        OrgUnitFactory(parent=community, name="第1网格", kind=OrgUnit.Kind.GRID)
    street.refresh_from_db()
    return street


def _grids_of(unit: OrgUnit) -> list[OrgUnit]:
    return list(
        OrgUnit.objects.filter(
            path__startswith=unit.path, kind=OrgUnit.Kind.GRID
        ).order_by("path")
    )


def test_reserved_seats_go_only_to_members_of_the_unit_in_a_mixed_crowd(
    training_class, grid, street, school_admin
):
    session = _session(training_class, seats=20)
    quota = booking.reserve_seats(session, org_unit=street, seats=8, actor=school_admin)
    member_grids = _grids_of(street)
    members = [
        *_enrolled(training_class, 20, member_grids[0]),
        *_enrolled(training_class, 20, member_grids[1]),
    ]
    others = _enrolled(training_class, 40, grid)

    outcomes = race([("book", session.pk, p.pk) for p in [*members, *others]])

    assert len(_ok(outcomes, "book")) == 80
    session = assert_counters_equal_rows(session)
    assert session.confirmed_count == 20
    confirmed = Booking.objects.confirmed().filter(session=session)
    by_members = confirmed.filter(trainee__in=members)
    assert confirmed.filter(quota=quota).count() == 8
    assert set(confirmed.filter(quota=quota).values_list("trainee", flat=True)) <= {
        m.pk for m in members
    }
    assert by_members.count() >= 8  # the reservation, plus what they won of the rest
    assert confirmed.filter(trainee__in=others).count() == 20 - by_members.count()
    assert session.open_seats_taken == 12 and session.reserved_seats == 8
    assert_waitlist_in_order(session)


def test_a_quota_released_during_a_rush_opens_its_free_seats_to_anyone_once(
    training_class, grid, street, school_admin
):
    session = _session(training_class, seats=20)
    quota = booking.reserve_seats(session, org_unit=street, seats=8, actor=school_admin)
    members = _enrolled(training_class, 3, _grids_of(street)[0])
    others = _enrolled(training_class, 50, grid)

    # Before the release: members take their reserved seats, everyone else the
    # twelve open ones, and the waitlist never gets a reserved seat.
    first = race([("book", session.pk, p.pk) for p in [*members, *others[:30]]])
    assert len(_ok(first, "book")) == 33
    session = assert_counters_equal_rows(session)
    confirmed = Booking.objects.confirmed().filter(session=session)
    assert confirmed.filter(trainee__in=members, quota=quota).count() == 3
    assert confirmed.filter(trainee__in=others).count() == 12
    assert session.confirmed_count == 15 < session.seats
    waiting_before = [b.pk for b in assert_waitlist_in_order(session)]

    # The release (pressed three times) races twenty more bookings.
    second = race(
        [
            *(("release", quota.pk) for _ in range(3)),
            *(("book", session.pk, p.pk) for p in others[30:]),
        ]
    )

    assert sorted(_ok(second, "release")) == [False, False, True]
    quota.refresh_from_db()
    assert quota.released_at is not None
    session = assert_counters_equal_rows(session)
    assert session.confirmed_count == session.seats == 20
    assert session.reserved_seats == 0
    # The five free reserved seats went to the first five who were waiting.
    promoted = set(
        Booking.objects.filter(session=session, promoted_at__isnull=False).values_list(
            "pk", flat=True
        )
    )
    assert promoted == set(waiting_before[:5])
    assert assert_promoted_at_most_once(session) == 5
    assert_waitlist_in_order(session)


# --- (e) a withdrawal racing a booking -------------------------------------------------


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_a_withdrawal_racing_a_booking_leaves_no_live_booking_behind(
    training_class, grid, processes
):
    session = _session(training_class, seats=10)
    people = _enrolled(training_class, 20, grid)
    enrollments = Enrollment.objects.filter(trainee__in=people)
    jobs = [("book", session.pk, person.pk) for person in people] + [
        ("withdraw", enrollment.pk) for enrollment in enrollments
    ]

    outcomes = race(jobs, processes=processes)

    assert len(_ok(outcomes, "withdraw")) == 20
    assert not Booking.objects.live().filter(session=session).exists()
    session = assert_counters_equal_rows(session)
    assert session.confirmed_count == 0


# --- (f) a double click ----------------------------------------------------------------


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_ten_clicks_of_one_trainee_make_one_live_booking(
    training_class, grid, processes
):
    session = _session(training_class, seats=20)
    (person,) = _enrolled(training_class, 1, grid)

    outcomes = race([("book", session.pk, person.pk)] * 10, processes=processes)

    assert len(_ok(outcomes, "book")) == 1
    assert _refusals(outcomes, "book") == [ALREADY_BOOKED] * 9
    assert Booking.objects.filter(session=session, trainee=person).count() == 1
    session = assert_counters_equal_rows(session)
    assert session.confirmed_count == 1
    assert list(
        BookingEvent.objects.filter(booking__session=session).values_list(
            "kind", flat=True
        )
    ) == [Kind.BOOKED]
