"""Community activities under a crowd, on SQLite and on PostgreSQL, and the cost
of the space utilisation report.

The flash: 200 residents press 报名 for one 20-seat night-school session at the
same instant. Threads released by a barrier call volunteers.activities.sign_up
straight on the database, each with its own connection (on PostgreSQL, 50 threads
share the 200 calls: the server takes 100 clients at most), in a process of its
own under the server's settings (tests.bench.run_settings) on a freshly migrated
database. Afterwards the session holds no more confirmed sign-ups than seats
(`activity_signup_flash_200_oversold_*`, must be 0), its counter equals its
rows, and the rest wait in numbered order.

The report: the queries of 空间使用率 over the demo's activities
(`utilisation_queries_demo`) and over the same with 20,000 people's sign-ups and
attendance added (`utilisation_queries_20000`) — equal, since the database groups
and sums.

PostgreSQL: a database of its own (PG_BENCH_URL, by default
gridschool_bench_activities on the local server) is dropped and created; without
a server answering, the PostgreSQL run is skipped.
"""

import os
import time as clock
from datetime import datetime, time, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from courses.models import AttendanceRecord, Booking
from school import demo as school_demo
from school.models import User
from tests.bench.databases import fresh_postgres_database
from tests.bench.test_make_run import environment, manage, python_in
from volunteers import demo_activities, utilisation
from volunteers.activities import split_minutes
from volunteers.models import Activity, ActivitySession, CommunitySpace

SETTINGS = "tests.bench.run_settings"
PG_BENCH_URL = os.environ.get(
    "PG_BENCH_URL", "postgres://postgres@127.0.0.1:5432/gridschool_bench_activities"
)

FLASH = """
import json, time
from datetime import datetime, time as clock_time, timedelta
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from courses.models import Booking
from school.models import Level, OrgUnit, User
from tests.concurrency import run_all_concurrently
from volunteers import activities
from volunteers.models import Activity, ActivitySession, CommunitySpace, OpeningHours

PEOPLE, SEATS = 200, 20
community = OrgUnit.add_root(name="压测社区", kind=OrgUnit.Kind.COMMUNITY, code="BENCHC")
staff = User.objects.create(phone="13300000001", real_name="压测干事")
manager = User.objects.create(phone="13300000002", real_name="压测主理人", level=Level.MANAGER)
space = CommunitySpace.objects.create(
    community=community, name="活动室", address="压测路 1 号", capacity=40
)
space.staff.add(staff)
for weekday in range(7):
    OpeningHours.objects.create(
        space=space, weekday=weekday, opens=clock_time(9), closes=clock_time(21, 30)
    )
day = timezone.localdate() + timedelta(days=7)
starts = timezone.make_aware(datetime.combine(day, clock_time(19)))
activity = activities.propose_activity(
    organiser=manager,
    title="压测夜校",
    kind=Activity.Kind.NIGHT_SCHOOL,
    description="两百人同时报名二十个名额。",
    space=space,
    seats=SEATS,
    slots=[activities.Slot(starts, starts + timedelta(hours=2))],
)
activities.approve_activity(activity, actor=staff)
session = activity.sessions.get()
User.objects.bulk_create(
    User(phone=f"135{i:08d}", real_name=f"压测居民{i}") for i in range(PEOPLE)
)
people = list(User.objects.filter(phone__startswith="135").order_by("pk"))

def run(person_pk):
    try:
        booking = activities.sign_up(
            ActivitySession.objects.get(pk=session.pk), person=User.objects.get(pk=person_pk)
        )
        return booking.status
    except ValidationError:
        return "refused"
    except Exception as error:
        return repr(error)

jobs = [p.pk for p in people]
lanes_n = len(jobs) if connection.vendor == "sqlite" else 50
lanes = [jobs[i::lanes_n] for i in range(lanes_n)]
started = time.perf_counter()
done = run_all_concurrently([lambda lane=lane: [run(j) for j in lane] for lane in lanes])
seconds = time.perf_counter() - started
outcomes = [o for lane in done for o in (lane if isinstance(lane, list) else [repr(lane)])]
session.refresh_from_db()
bookings = Booking.objects.filter(session_id=session.pk)
confirmed = bookings.filter(status=Booking.Status.CONFIRMED).count()
numbers = sorted(
    bookings.filter(status=Booking.Status.WAITLISTED).values_list("queue_number", flat=True)
)
print(json.dumps({
    "confirmed": confirmed,
    "waitlisted": len(numbers),
    "oversold": max(0, confirmed - SEATS),
    "counter_matches": session.confirmed_count == confirmed,
    "numbers_in_order": numbers == list(range(1, len(numbers) + 1)),
    "errors": [o for o in outcomes if o not in ("confirmed", "waitlisted", "refused")][:5],
    "seconds": seconds,
}))
"""


@pytest.mark.parametrize("database", ["sqlite", "pg"])
def test_a_flash_of_200_sign_ups_never_oversells_a_night_school(
    tmp_path, record_figures, database
):
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    extra = {}
    if database == "pg":
        extra["DATABASE_URL"] = fresh_postgres_database(PG_BENCH_URL)
    env = environment(var_dir, SETTINGS, **extra)
    manage(env, "migrate", "--noinput")
    result = python_in(env, FLASH)
    record_figures(
        **{
            f"activity_signup_flash_200_oversold_{database}": result["oversold"],
            f"activity_signup_flash_200_confirmed_{database}": result["confirmed"],
            f"activity_signup_flash_200_waitlisted_{database}": result["waitlisted"],
            f"activity_signup_flash_200_s_{database}": result["seconds"],
        }
    )
    print(f"\nactivity sign-up flash ({database}): {result}")
    assert result["errors"] == []
    assert result["oversold"] == 0
    assert result["confirmed"] == 20
    assert result["waitlisted"] == 180
    assert result["counter_matches"] and result["numbers_in_order"]


# --- the report's queries -------------------------------------------------------------

BIG_PEOPLE = 20_000
BIG_SESSIONS = 100


def _report_queries() -> tuple[int, float]:
    utilisation.table(utilisation.space_utilisation())  # warm (content types, …)
    started = clock.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        utilisation.table(utilisation.space_utilisation())
    return len(queries), (clock.perf_counter() - started) * 1000


def _add_crowd(space: CommunitySpace, organiser: User) -> None:
    """BIG_SESSIONS evening sessions over the last months in `space`, and
    BIG_PEOPLE people, each signed up for one of them and marked present."""
    owner = Activity.objects.create(
        title="万人夜校",
        description="压测",
        space=space,
        organiser=organiser,
        seats=BIG_PEOPLE // BIG_SESSIONS,
        basis=Activity.Basis.GRANT,
        status=Activity.Status.APPROVED,
    )
    today = timezone.localdate()
    sessions = []
    for index in range(BIG_SESSIONS):
        day = today - timedelta(days=1 + index)
        starts = timezone.make_aware(datetime.combine(day, time(19)))
        ends = starts + timedelta(hours=2)
        day_minutes, evening_minutes = split_minutes(starts, ends)
        # A multi-table child cannot be bulk-created.
        sessions.append(
            ActivitySession.objects.create(
                activity=owner,
                starts_at=starts,
                ends_at=ends,
                booking_closes_at=starts - timedelta(hours=1),
                seats=owner.seats,
                day_minutes=day_minutes,
                evening_minutes=evening_minutes,
            )
        )
    User.objects.bulk_create(
        (User(phone=f"136{i:08d}", real_name=f"压测{i}") for i in range(BIG_PEOPLE)),
        batch_size=2000,
    )
    people = list(User.objects.filter(phone__startswith="136").order_by("pk"))
    bookings = Booking.objects.bulk_create(
        (
            Booking(
                session=sessions[i % BIG_SESSIONS],
                trainee=person,
                status=Booking.Status.CONFIRMED,
                confirmed_at=sessions[i % BIG_SESSIONS].booking_closes_at,
            )
            for i, person in enumerate(people)
        ),
        batch_size=2000,
    )
    if any(b.pk is None for b in bookings):
        bookings = list(
            Booking.objects.filter(session__activitysession__activity=owner)
        )
    AttendanceRecord.objects.bulk_create(
        (
            AttendanceRecord(
                session_id=b.session_id,
                booking_id=b.pk,
                trainee_id=b.trainee_id,
                status=AttendanceRecord.Status.PRESENT,
                method=AttendanceRecord.Method.ROSTER,
            )
            for b in bookings
        ),
        batch_size=2000,
    )


@pytest.mark.django_db
def test_the_utilisation_report_costs_the_same_queries_for_20000_people(
    record_figures,
):
    school_demo.seed_org_tree()
    school_demo.seed_demo_accounts()
    school_demo.seed_trainees(200)
    demo_activities.seed({})
    demo, demo_ms = _report_queries()
    space = CommunitySpace.objects.order_by("pk").first()
    organiser = Activity.objects.order_by("pk").first().organiser
    _add_crowd(space, organiser)
    big, big_ms = _report_queries()
    record_figures(
        utilisation_queries_demo=demo,
        utilisation_queries_20000=big,
        utilisation_ms_demo=demo_ms,
        utilisation_ms_20000=big_ms,
    )
    assert demo == big
    assert utilisation.space_utilisation().total.person_times >= BIG_PEOPLE
