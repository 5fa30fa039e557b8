"""A booking flash against the server `make run` starts, on SQLite and on PostgreSQL:
500 trainees press 预约 in the same instant, spread over 21 sessions (one at each
practice site, 10 seats each), so that each session fills and queues a waitlist.

The server is the real one: `bin/serve` (gunicorn with several workers and
threads, and the django-q2 worker) under school.settings.run, with the bench's
URLs (tests.bench.run_settings), migrated and seeded with `seed_demo --trainees
500` first. The trainees, enrolled in one class, are logged in by sessions written
straight into the database (500 password checks would only measure the hasher),
each with a CSRF cookie and the same token in the form, as a browser sends them
after a GET. 500 threads wait at a barrier, then each opens its own connection
and POSTs to courses:book_session.

The baseline is the same crowd, the same clients, POSTing to a view that writes
one row (tests.bench.urls.insert), measured just before in the same run: the
booking's p95 latency over the insert's says what the engine costs under a crowd.
Afterwards no session holds more confirmed bookings than seats, the counters
equal the rows, and no request got a 5xx.

PostgreSQL: a database of its own (PG_BENCH_URL, by default
gridschool_bench_booking on the local server) is dropped and created; without a
server answering, the PostgreSQL run is skipped.
"""

import http.client
import os
import statistics

import pytest

from tests.bench.databases import fresh_postgres_database
from tests.bench.test_make_run import (
    LOGGED_IN,
    environment,
    flash,
    free_port,
    manage,
    python_in,
    serving,
    wait_until_healthy,
)
from tests.bench.urls import INSERT_PATH

TRAINEES = 500
SEATS = 10
SETTINGS = "tests.bench.run_settings"
PG_BENCH_URL = os.environ.get(
    "PG_BENCH_URL", "postgres://postgres@127.0.0.1:5432/gridschool_bench_booking"
)

# Run in the server's own settings: a class open to all with the first TRAINEES
# demo trainees enrolled, one session at each practice site six weeks ahead (clear
# of the demo's sessions), and a logged-in session for each trainee. The jobs
# seed_demo queued are dropped, so that the flash meets a server doing nothing else.
PREPARE = (
    LOGGED_IN
    + """
import json
from datetime import timedelta

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django_q.models import OrmQ

from courses.models import ClassLevel, ClassSession, CoursePage, Enrollment, TrainingClass
from school.models import Level, PracticeSite, User

course = (
    CoursePage.objects.live()
    .filter(prerequisites=None, minimum_level=Level.RESIDENT)
    .order_by("pk")
    .first()
)
now = timezone.now()
number = (course.classes.aggregate(n=Max("number"))["n"] or 0) + 1
training_class = TrainingClass.objects.create(
    course=course,
    number=number,
    level=ClassLevel.values[0],
    capacity=TRAINEES,
    enrol_opens_at=now - timedelta(hours=1),
    enrol_closes_at=now + timedelta(days=1),
    starts_on=(now - timedelta(days=1)).date(),
    ends_on=(now + timedelta(days=60)).date(),
)
trainees = list(User.objects.filter(phone__startswith="139").order_by("phone")[:TRAINEES])
assert len(trainees) == TRAINEES, len(trainees)
Enrollment.objects.bulk_create(
    Enrollment(training_class=training_class, trainee=t, status=Enrollment.Status.ACTIVE)
    for t in trainees
)
sites = list(PracticeSite.objects.filter(is_active=True).order_by("pk"))
starts = timezone.localtime(now).replace(hour=10, minute=0, second=0, microsecond=0)
starts += timedelta(weeks=6)
sessions = [
    ClassSession.objects.create(
        training_class=training_class,
        title="抢座实操",
        practice_site=site,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        booking_closes_at=starts - timedelta(days=1),
        seats=SEATS,
    )
    for site in sites
]
clients = [
    [*logged_in(trainee), reverse("courses:book_session", args=[sessions[index % len(sessions)].pk])]
    for index, trainee in enumerate(trainees)
]
OrmQ.objects.all().delete()
print(json.dumps({
    "class_id": training_class.pk,
    "sessions_path": reverse("courses:class_sessions", args=[training_class.pk]),
    "clients": clients,
}))
""".replace("TRAINEES", str(TRAINEES)).replace("SEATS", str(SEATS))
)

# Each session of the class: its seats and counters against its rows.
COUNT = """
import json
from courses.models import Booking, ClassSession
rows = []
for session in ClassSession.objects.filter(training_class_id=CLASS_ID):
    bookings = Booking.objects.filter(session=session)
    numbers = sorted(
        bookings.filter(status=Booking.Status.WAITLISTED).values_list(
            "queue_number", flat=True
        )
    )
    rows.append({
        "seats": session.seats,
        "confirmed_count": session.confirmed_count,
        "confirmed": bookings.filter(status=Booking.Status.CONFIRMED).count(),
        "waitlisted": len(numbers),
        "waitlist_issued": session.waitlist_issued,
        "numbers_in_order": numbers == list(range(1, len(numbers) + 1)),
    })
print(json.dumps(rows))
"""


def get(port: int, path: str, client: list[str]) -> int:
    session_key, csrf, *_ = client
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(
            "GET",
            path,
            headers={"Cookie": f"sessionid={session_key}; csrftoken={csrf}"},
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def p95(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=20)[-1]


@pytest.mark.parametrize("database", ["sqlite", "pg"])
def test_a_flash_of_500_bookings_meets_the_server_of_make_run(
    tmp_path, record_figures, database
):
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    port = free_port()
    extra = {"PORT": str(port)}
    if database == "pg":
        extra["DATABASE_URL"] = fresh_postgres_database(PG_BENCH_URL)
    env = environment(var_dir, SETTINGS, **extra)
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo", "--trainees", str(TRAINEES))
    prepared = python_in(env, PREPARE)
    clients = prepared["clients"]

    log = tmp_path / "server.log"
    with serving(["bin/serve"], env, log) as process:
        wait_until_healthy(port, process, log)
        # A few trainees look at the class's sessions first (logged in, every
        # worker started).
        for client in clients[:20]:
            assert get(port, prepared["sessions_path"], client) == 200
        inserted, insert_latencies, insert_seconds = flash(port, clients, INSERT_PATH)
        booked, latencies, seconds = flash(port, clients)
    rows = python_in(env, COUNT.replace("CLASS_ID", str(prepared["class_id"])))

    overbooked = sum(max(0, row["confirmed"] - row["seats"]) for row in rows)
    booking_p95, insert_p95 = p95(latencies), p95(insert_latencies)
    record_figures(
        **{
            f"booking_flash_500_s_{database}": seconds,
            f"booking_overbooked_{database}": overbooked,
            f"booking_5xx_{database}": booked["5xx"],
            f"booking_p95_over_insert_p95_{database}": booking_p95 / insert_p95,
            f"booking_flash_500_p95_ms_{database}": booking_p95 * 1000,
            f"insert_flash_500_p95_ms_{database}": insert_p95 * 1000,
            f"insert_flash_500_s_{database}": insert_seconds,
        }
    )
    print(
        f"\nbooking flash ({database}): {dict(booked)} in {seconds:.1f} s, "
        f"p95 {booking_p95 * 1000:.0f} ms; insert flash: {dict(inserted)} in "
        f"{insert_seconds:.1f} s, p95 {insert_p95 * 1000:.0f} ms"
    )
    assert overbooked == 0, rows
    assert booked["5xx"] == 0, dict(booked)
    assert inserted == {"2xx": TRAINEES}, dict(inserted)
    assert booked == {"3xx": TRAINEES}, dict(booked)  # each redirected to its page
    for row in rows:
        assert row["confirmed_count"] == row["confirmed"] == row["seats"], row
        assert row["waitlist_issued"] == row["waitlisted"], row
        assert row["numbers_in_order"], row
    assert sum(row["confirmed"] + row["waitlisted"] for row in rows) == TRAINEES
