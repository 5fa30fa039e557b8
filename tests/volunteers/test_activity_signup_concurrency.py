"""Races on an activity session's seats, through volunteers.activities (the
audience rule asked by the booking engine): a crowd signing up for 20 seats at
the same instant, and a cancellation racing new sign-ups. Real threads and
forked processes released by a barrier on the test database (file SQLite or
PostgreSQL): the database decides who wins.

PostgreSQL takes at most `max_connections` clients at once, so there the thread
jobs share PG_THREADS threads, and the forked processes are PROCESSES lanes each
signing up its share one after another."""

import itertools
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta

from django.core.exceptions import ValidationError

import pytest

from courses.models import Booking, BookingEvent
from school.models import User
from tests.concurrency import run_jobs
from tests.courses.test_booking_concurrency import (
    assert_counters_equal_rows,
    assert_promoted_at_most_once,
    assert_waitlist_in_order,
)
from tests.volunteers.conftest import next_weekday_at
from volunteers import activities
from volunteers.models import Activity, ActivitySession

pytestmark = pytest.mark.django_db(transaction=True)

Status = Booking.Status
Kind = BookingEvent.Kind

CROWD = 200
SEATS = 20
PG_THREADS = 40
PROCESSES = 40
ALREADY_CANCELLED = "该预约已取消。"

_phones = itertools.count(1)


def _run(job: tuple) -> tuple:
    """One job on this thread's (or process's) own connection: (job, "ok",
    value), (job, "refused", messages) or (job, "error", repr)."""
    kind, *ids = job
    try:
        if kind == "sign_up":
            made = activities.sign_up(
                ActivitySession.objects.get(pk=ids[0]),
                person=User.objects.get(pk=ids[1]),
            )
            value = (made.pk, made.status, made.queue_number)
        elif kind == "cancel":
            mine = Booking.objects.select_related("trainee").get(pk=ids[0])
            activities.cancel_sign_up(mine, person=mine.trainee)
            value = mine.pk
        else:
            raise ValueError(kind)
    except ValidationError as error:
        return job, "refused", error.messages
    except Exception as error:
        return job, "error", repr(error)
    return job, "ok", value


def _run_lane(lane: list[tuple]) -> list[tuple]:
    return [_run(job) for job in lane]


def race(jobs: Sequence[tuple], *, processes: bool = False) -> list[tuple]:
    """Run the jobs at once: on threads, or in PROCESSES forked processes each
    taking a lane of the jobs. No job may fail with anything but a refusal."""
    if processes:
        lanes = [list(jobs[i::PROCESSES]) for i in range(min(PROCESSES, len(jobs)))]
        done = run_jobs(lanes, _run_lane, processes=True)
        outcomes = [outcome for lane in done for outcome in lane]
    else:
        outcomes = run_jobs(jobs, _run, pg_threads=PG_THREADS)
    assert len(outcomes) == len(jobs)
    errors = [o for o in outcomes if not isinstance(o, tuple) or o[1] == "error"]
    assert errors == [], errors  # no exception, no "database is locked"
    return outcomes


def _ok(outcomes, kind: str) -> list:
    return [v for (k, *_), result, v in outcomes if k == kind and result == "ok"]


def _refusals(outcomes, kind: str) -> list[str]:
    return [
        m
        for (k, *_), result, ms in outcomes
        if k == kind and result == "refused"
        for m in ms
    ]


def _residents(n: int, org_unit) -> list[User]:
    """n residents of the unit (no password hashing)."""
    made = User.objects.bulk_create(
        User(
            phone=f"191{next(_phones):08d}", real_name=f"报名居民{i}", org_unit=org_unit
        )
        for i in range(n)
    )
    return list(User.objects.filter(pk__in=[p.pk for p in made]).order_by("pk"))


@pytest.fixture
def session(manager, space, space_staff) -> ActivitySession:
    """An approved 20-seat workshop next Tuesday 15:00–17:00 for everyone,
    proposed and approved through the services."""
    start = next_weekday_at(1, 15)
    activity = activities.propose_activity(
        organiser=manager,
        title="手工皂工坊",
        kind=Activity.Kind.WORKSHOP,
        description="自己动手做一块手工皂。",
        space=space,
        seats=SEATS,
        slots=[activities.Slot(start, start + timedelta(hours=2))],
    )
    activities.approve_activity(activity, actor=space_staff)
    return activity.sessions.get()


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_two_hundred_sign_ups_for_twenty_seats_confirm_twenty_and_number_the_rest(
    session, grid, processes
):
    crowd = _residents(CROWD, grid)

    outcomes = race(
        [("sign_up", session.pk, person.pk) for person in crowd], processes=processes
    )

    made = _ok(outcomes, "sign_up")
    assert len(made) == CROWD
    assert Counter(status for _, status, _ in made) == {
        Status.CONFIRMED: SEATS,
        Status.WAITLISTED: CROWD - SEATS,
    }
    numbers = sorted(n for _, status, n in made if status == Status.WAITLISTED)
    assert numbers == list(range(1, CROWD - SEATS + 1))
    checked = assert_counters_equal_rows(session)
    assert checked.confirmed_count == SEATS
    assert checked.waitlist_issued == CROWD - SEATS
    assert len(assert_waitlist_in_order(session)) == CROWD - SEATS


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_a_cancellation_racing_sign_ups_promotes_the_first_waiting_exactly_once(
    session, grid, processes
):
    first = _residents(SEATS + 10, grid)
    for person in first:
        activities.sign_up(session, person=person)
    leaving = Booking.objects.confirmed().filter(session=session).order_by("pk")[0]
    first_waiting = assert_waitlist_in_order(session)[0]
    newcomers = _residents(50, grid)
    jobs = [
        ("cancel", leaving.pk),
        ("cancel", leaving.pk),  # double-clicked
        *(("sign_up", session.pk, person.pk) for person in newcomers),
    ]

    outcomes = race(jobs, processes=processes)

    assert _ok(outcomes, "cancel") == [leaving.pk]
    assert _refusals(outcomes, "cancel") == [ALREADY_CANCELLED]
    made = _ok(outcomes, "sign_up")
    assert len(made) == 50
    # The freed seat went to the waitlist at once, never to a newcomer.
    assert {status for _, status, _ in made} == {Status.WAITLISTED}
    assert sorted(n for _, _, n in made) == list(range(11, 61))
    checked = assert_counters_equal_rows(session)
    assert checked.confirmed_count == SEATS
    assert assert_promoted_at_most_once(session) == 1
    first_waiting.refresh_from_db()
    assert first_waiting.status == Status.CONFIRMED
    assert first_waiting.promoted_at is not None
    assert len(assert_waitlist_in_order(session)) == 9 + 50
