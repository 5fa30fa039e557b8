"""Load and soak on a 20,000-trainee seed, against the server `make run` starts on
PostgreSQL: `bin/serve` (gunicorn, several workers of the gthread class, and a
django-q2 cluster with 2 workers) under the bench's settings, on a free port and a
database of its own (PG_BENCH_URL, by default gridschool_bench_soak, dropped and
created; skipped without a PostgreSQL server).

The server trusts one proxy (PROXY_COUNT=1) and each virtual user sends its own
X-Forwarded-For, as a crowd of phones behind the school's reverse proxy: the
per-address limits (login, public verify) count each person, not the bench.

- The flash crowd: 300 enrolled trainees press 预约 in the same second on one
  session with 20 seats (each on its own new connection, released by a barrier).
  flash_overbooked (confirmed beyond the seats) and flash_5xx must be 0; 20
  confirmed and 280 waitlisted numbered 1..280; flash_p95_ms, flash_300_s.
- The soak: SOAK_USERS (30) virtual users (tests/bench/load.py), each logged in
  through the login form with its own session and CSRF token, run the mix of
  tests/bench/soak_scenario.py for SOAK_SECONDS (600; 60 for a quick try), while
  1,000 certificates of a class's completed enrolments are issued by
  `start_bulk_issue` through the cluster. Figures:
  soak_requests, soak_errors (any 5xx, connection error, timeout or status the
  task did not expect: must be 0), soak_p95_ms (the mix without the baselines),
  soak_hello_p95_ms (/healthz, a task of the same mix, so measured in the same
  run under the same load) and soak_p95_over_hello; soak_rss_growth_pct: the sum
  of VmRSS of the gunicorn workers at the end against after the warm-up (the first
  quarter, at most 60 s), at most 10; queue_drained: 1 when, after the traffic,
  the batch finished with 1,000 done and none failed, the queue is empty, no task
  failed, and each of the 1,000 enrolments has exactly one certificate.
"""

import os
import threading
import time
from pathlib import Path

import pytest

from tests.bench import soak_scenario
from tests.bench.databases import fresh_postgres_database
from tests.bench.load import Recorder, p95, problems, run_users, summary
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

TRAINEES = 20_000
SETTINGS = "tests.bench.run_settings"
PG_BENCH_URL = os.environ.get(
    "PG_BENCH_URL", "postgres://postgres@127.0.0.1:5432/gridschool_bench_soak"
)
SOAK_SECONDS = float(os.environ.get("SOAK_SECONDS", "600"))
SOAK_USERS = int(os.environ.get("SOAK_USERS", "30"))
DRAIN_TIMEOUT_S = int(os.environ.get("SOAK_DRAIN_TIMEOUT", "1200"))
FLASH_USERS, FLASH_SEATS = 300, 20
BULK = 1_000
RSS_LIMIT_PCT = 10
# Disjoint ranges of the seeded trainees (phones 139 + index): the virtual users,
# the flash crowd and the holders of the bulk's certificates.
USERS_FROM, FLASH_FROM, BULK_FROM = 19_001, 18_001, 17_001

# Run in the server's settings, after seeding: one course anyone may take with
#  - a running class for the virtual users, with 8 sessions of ample seats ahead
#    (booked and cancelled by the mix), and a finished class where each holds a
#    certificate (我的证书, the verify page);
#  - a class for the flash crowd with one 20-seat session, and a logged-in
#    session for each of its trainees (300 password checks would measure PBKDF2);
#  - a finished class with the bulk's 1,000 completed enrolments.
# The jobs seed_demo queued are dropped: the queue holds the bulk and what the
# soak itself causes.
PREPARE = (
    LOGGED_IN
    + f"USERS, USERS_FROM = {SOAK_USERS}, {USERS_FROM}\n"
    + f"FLASH, FLASH_FROM, FLASH_SEATS = {FLASH_USERS}, {FLASH_FROM}, {FLASH_SEATS}\n"
    + f"BULK, BULK_FROM = {BULK}, {BULK_FROM}\n"
    + """
import json
from datetime import timedelta
from urllib.parse import urlsplit

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django_q.models import OrmQ

from certificates import selectors as certificate_selectors, services
from certificates.models import Certificate
from courses.models import ClassLevel, ClassSession, CoursePage, Enrollment, TrainingClass
from school.demo import trainee_phone
from school.models import Level, PracticeSite, User


course = (
    CoursePage.objects.live()
    .filter(prerequisites=None, minimum_level=Level.RESIDENT)
    .order_by("pk")
    .first()
)
template = certificate_selectors.templates_for(course).first()
assert template is not None, course
now = timezone.now()
today = now.date()
number = (course.classes.aggregate(n=Max("number"))["n"] or 0)


def new_class(capacity, *, past):
    global number
    number += 1
    if past:
        span = dict(
            enrol_opens_at=now - timedelta(days=40),
            enrol_closes_at=now - timedelta(days=30),
            starts_on=today - timedelta(days=20),
            ends_on=today - timedelta(days=10),
        )
    else:
        span = dict(
            enrol_opens_at=now - timedelta(hours=1),
            enrol_closes_at=now + timedelta(days=1),
            starts_on=today - timedelta(days=1),
            ends_on=today + timedelta(days=120),
        )
    return TrainingClass.objects.create(
        course=course, number=number, level=ClassLevel.values[0], capacity=capacity,
        **span,
    )


def trainees(first, count):
    phones = [trainee_phone(i) for i in range(first, first + count)]
    found = list(User.objects.filter(phone__in=phones).order_by("phone"))
    assert len(found) == count, (first, count, len(found))
    return found


def enrol(training_class, people, status):
    Enrollment.objects.bulk_create(
        Enrollment(
            training_class=training_class,
            trainee=person,
            status=status,
            completed_at=now if status == Enrollment.Status.COMPLETED else None,
        )
        for person in people
    )
    TrainingClass.objects.filter(pk=training_class.pk).update(seats_taken=len(people))


sites = list(PracticeSite.objects.filter(is_active=True).order_by("pk"))
ahead = timezone.localtime(now).replace(hour=10, minute=0, second=0, microsecond=0)
ahead += timedelta(weeks=6)


def session(training_class, index, seats):
    starts = ahead + timedelta(days=index)
    return ClassSession.objects.create(
        training_class=training_class,
        title="实操练习",
        practice_site=sites[index % len(sites)],
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        booking_closes_at=starts - timedelta(days=1),
        seats=seats,
    )


# The virtual users.
users = trainees(USERS_FROM, USERS)
running = new_class(USERS + 10, past=False)
enrol(running, users, Enrollment.Status.ACTIVE)
practice = [session(running, index, USERS + 10) for index in range(8)]
finished = new_class(USERS + 10, past=True)
enrol(finished, users, Enrollment.Status.COMPLETED)
verify_paths = [
    urlsplit(
        services.issue_certificate(enrollment, template=template, deliver=False)
        .verification_url
    ).path
    for enrollment in Enrollment.objects.filter(training_class=finished)
]

# The flash crowd.
crowd = trainees(FLASH_FROM, FLASH)
flash_class = new_class(FLASH, past=False)
enrol(flash_class, crowd, Enrollment.Status.ACTIVE)
flash_session = session(flash_class, 20, FLASH_SEATS)
book_path = reverse("courses:book_session", args=[flash_session.pk])

# The bulk's holders.
bulk_class = new_class(BULK, past=True)
enrol(bulk_class, trainees(BULK_FROM, BULK), Enrollment.Status.COMPLETED)

OrmQ.objects.all().delete()
print(json.dumps({
    "users": [{"phone": u.phone} for u in users],
    "login_path": reverse("accounts:login"),
    "home_path": "/",
    "catalogue_path": urlsplit(course.get_parent().specific.get_url()).path,
    "course_path": urlsplit(course.get_url()).path,
    "learning_path": reverse("courses:dashboard"),
    "sessions_path": reverse("courses:class_sessions", args=[running.pk]),
    "book_paths": [reverse("courses:book_session", args=[s.pk]) for s in practice],
    "certificates_path": reverse("certificates:mine"),
    "verify_paths": verify_paths,
    "activities_path": reverse("activities:calendar"),
    "flash_session_id": flash_session.pk,
    "flash_sessions_path": reverse("courses:class_sessions", args=[flash_class.pk]),
    "flash_clients": [[*logged_in(t), book_path] for t in crowd],
    "bulk_class_id": bulk_class.pk,
    "template_id": template.pk,
}))
"""
)


# The flash session's seats and counters against its rows.
FLASH_COUNT = """
import json
from courses.models import Booking, ClassSession
session = ClassSession.objects.get(pk=SESSION_ID)
bookings = Booking.objects.filter(session=session)
numbers = sorted(
    bookings.filter(status=Booking.Status.WAITLISTED).values_list("queue_number", flat=True)
)
print(json.dumps({
    "seats": session.seats,
    "confirmed_count": session.confirmed_count,
    "confirmed": bookings.filter(status=Booking.Status.CONFIRMED).count(),
    "waitlisted": len(numbers),
    "numbers_in_order": numbers == list(range(1, len(numbers) + 1)),
}))
"""

# The bulk issue, as the admin's 批量颁发 starts it.
BULK_START = """
import json
from certificates import selectors, services
from certificates.models import CertificateTemplate
from courses.models import TrainingClass
from django.utils import timezone
from school.models import User

training_class = TrainingClass.objects.get(pk=CLASS_ID)
ids = list(selectors.completed_enrollments(training_class).values_list("pk", flat=True))
batch = services.start_bulk_issue(
    training_class,
    template=CertificateTemplate.objects.get(pk=TEMPLATE_ID),
    enrollment_ids=ids,
    actor=User.objects.filter(is_superuser=True).order_by("pk").first(),
)
print(json.dumps({"batch_id": batch.pk, "enrollments": len(ids), "at": timezone.now().isoformat()}))
"""

# After the traffic: wait for the batch and the queue, then count.
DRAIN = """
import json, time
from django.db.models import Count
from django.utils.dateparse import parse_datetime
from django_q.models import OrmQ, Task
from certificates.models import Certificate, CertificateBatch

batch_id, started = BATCH_ID, parse_datetime(STARTED)
deadline = time.monotonic() + TIMEOUT
waited = time.monotonic()
while True:
    batch = CertificateBatch.objects.get(pk=batch_id)
    queued = OrmQ.objects.count()
    if (batch.status == CertificateBatch.Status.FINISHED and queued == 0) or (
        time.monotonic() > deadline
    ):
        break
    time.sleep(1)
waited = time.monotonic() - waited
ids = batch.enrollment_ids
certificates = Certificate.objects.filter(enrollment_id__in=ids, template_id=batch.template_id)
per_enrollment = certificates.values("enrollment_id").annotate(n=Count("pk"))
print(json.dumps({
    "status": batch.status,
    "total": batch.total,
    "done": batch.done,
    "failed": batch.failed,
    "queued": OrmQ.objects.count(),
    "tasks_failed": Task.objects.filter(started__gte=started, success=False).count(),
    "tasks_done": Task.objects.filter(started__gte=started, success=True).count(),
    "certificates": certificates.count(),
    "holders": per_enrollment.count(),
    "duplicated": per_enrollment.filter(n__gt=1).count(),
    "without_pdf": certificates.filter(pdf="").count(),
    "waited_s": waited,
}))
"""


# --- the server ---------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += map(int, (task / "children").read_text().split())
        except OSError:
            continue
    return found


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def gunicorn_workers(serve_pid: int) -> list[int]:
    """The worker processes of the gunicorn master bin/serve started."""
    masters = [pid for pid in _children(serve_pid) if "gunicorn" in _command(pid)]
    return [pid for master in masters for pid in _children(master)]


def rss_kb(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """bin/serve on a fresh PostgreSQL database seeded with 20,000 trainees and
    prepared as PREPARE says; yields what the tests need."""
    root = tmp_path_factory.mktemp("soak")
    var_dir = root / "var"
    var_dir.mkdir()
    port = free_port()
    env = environment(
        var_dir,
        SETTINGS,
        PORT=str(port),
        DATABASE_URL=fresh_postgres_database(PG_BENCH_URL),
        PROXY_COUNT="1",
    )
    manage(env, "migrate", "--noinput")
    started = time.perf_counter()
    manage(env, "seed_demo", "--trainees", str(TRAINEES), timeout=1800)
    print(f"\nseed_demo --trainees {TRAINEES}: {time.perf_counter() - started:.0f} s")
    prepared = python_in(env, PREPARE)
    log = root / "server.log"
    with serving(["bin/serve"], env, log) as process:
        wait_until_healthy(port, process, log)
        yield {
            "port": port,
            "env": env,
            "prepared": prepared,
            "process": process,
            "log": log,
        }


# --- the flash crowd ------------------------------------------------------------------


def test_a_flash_crowd_of_300_on_a_20_seat_session(server, record_figures):
    port, prepared = server["port"], server["prepared"]
    clients = prepared["flash_clients"]
    assert len(clients) == FLASH_USERS
    from tests.bench.test_booking import get

    for client in clients[:20]:  # every web worker started and warm
        assert get(port, prepared["flash_sessions_path"], client) == 200

    outcomes, latencies, seconds = flash(port, clients)
    row = python_in(
        server["env"],
        FLASH_COUNT.replace("SESSION_ID", str(prepared["flash_session_id"])),
    )
    overbooked = max(0, row["confirmed"] - row["seats"])
    record_figures(
        flash_overbooked=overbooked,
        flash_5xx=outcomes["5xx"],
        flash_p95_ms=p95(latencies) * 1000,
        flash_300_s=seconds,
    )
    print(f"\nflash crowd: {dict(outcomes)} in {seconds:.1f} s, {row}")
    assert overbooked == 0, row
    assert outcomes["5xx"] == 0, dict(outcomes)
    assert outcomes == {"3xx": FLASH_USERS}, dict(outcomes)
    assert row["confirmed"] == row["confirmed_count"] == FLASH_SEATS, row
    assert row["waitlisted"] == FLASH_USERS - FLASH_SEATS, row
    assert row["numbers_in_order"], row


# --- the soak ---------------------------------------------------------------------


def test_a_soak_of_mixed_traffic_while_1000_certificates_are_issued(
    server, record_figures
):
    port, env, prepared = server["port"], server["env"], server["prepared"]
    process = server["process"]
    recorder = Recorder()
    profiles = [
        {**user, "address": f"10.16.{index // 250}.{index % 250 + 1}"}
        for index, user in enumerate(prepared["users"])
    ]
    tasks = soak_scenario.tasks(prepared)
    soak_scenario.check_every_task(port, prepared, profiles[0])

    warmup = min(60.0, SOAK_SECONDS / 4)
    rss: dict[str, float] = {}
    workers: dict[str, list[int]] = {}
    bulk: dict = {}

    def during(start: float, end: float) -> None:
        """In the main thread while the users run: start the bulk issue at once,
        sample the workers' memory after the warm-up and just before the end."""
        starter = threading.Thread(
            target=lambda: bulk.update(
                python_in(
                    env,
                    BULK_START.replace(
                        "CLASS_ID", str(prepared["bulk_class_id"])
                    ).replace("TEMPLATE_ID", str(prepared["template_id"])),
                )
            ),
            daemon=True,
        )
        starter.start()
        time.sleep(max(0.0, start + warmup - time.monotonic()))
        workers["warm"] = gunicorn_workers(process.pid)
        rss["warm"] = rss_kb(workers["warm"])
        peak = rss["warm"]
        while time.monotonic() < end - 1:
            time.sleep(min(5.0, max(0.0, end - 1 - time.monotonic())))
            peak = max(peak, rss_kb(gunicorn_workers(process.pid)))
        workers["end"] = gunicorn_workers(process.pid)
        rss["end"] = rss_kb(workers["end"])
        rss["peak"] = max(peak, rss["end"])
        starter.join()

    start, end = run_users(
        host="127.0.0.1",
        port=port,
        recorder=recorder,
        users=profiles,
        tasks=tasks,
        seconds=SOAK_SECONDS,
        start=lambda user, profile: soak_scenario.start(user, prepared, profile),
        during=during,
    )
    samples = recorder.between(start, end + 120)
    mix = [s for s in samples if s.label not in soak_scenario.BASELINES]
    hello = [s for s in samples if s.label == soak_scenario.HELLO]
    bare = [s for s in samples if s.label == soak_scenario.BARE_HELLO]
    errors = sum(not s.ok for s in samples)
    mix_p95, hello_p95 = p95(s.seconds for s in mix), p95(s.seconds for s in hello)

    assert bulk.get("enrollments") == BULK, bulk
    drained = python_in(
        env,
        DRAIN.replace("BATCH_ID", str(bulk["batch_id"]))
        .replace("STARTED", repr(bulk["at"]))
        .replace("TIMEOUT", str(DRAIN_TIMEOUT_S)),
    )
    queue_drained = int(
        drained["status"] == "finished"
        and drained["done"] == BULK
        and drained["failed"] == 0
        and drained["queued"] == 0
        and drained["tasks_failed"] == 0
        and drained["certificates"] == drained["holders"] == BULK
        and drained["duplicated"] == 0
    )
    growth = (rss["end"] - rss["warm"]) / rss["warm"] * 100
    record_figures(
        soak_seconds=round(end - start),
        soak_users=len(profiles),
        soak_requests=len(samples),
        soak_errors=errors,
        soak_rps=len(samples) / (end - start),
        soak_p95_ms=mix_p95 * 1000,
        soak_hello_p95_ms=hello_p95 * 1000,
        soak_p95_over_hello=mix_p95 / hello_p95,
        soak_bare_hello_p95_ms=p95(s.seconds for s in bare) * 1000,
        soak_reconnects=recorder.reconnects,
        soak_rss_warm_mb=rss["warm"] / 1024,
        soak_rss_end_mb=rss["end"] / 1024,
        soak_rss_growth_pct=growth,
        soak_web_workers=len(workers["end"]),
        queue_drained=queue_drained,
        soak_drain_wait_s=drained["waited_s"],
    )
    print(
        f"\nsoak: {len(samples)} requests in {end - start:.0f} s by {len(profiles)} users"
    )
    for label, row in summary(samples).items():
        print(
            f"  {label:<18} {row['count']:>7} req {row['errors']:>4} err "
            f"p50 {row['p50_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms"
        )
    print(f"  workers {workers}, rss {rss}, bulk {bulk}, drained {drained}")
    print(f"  problems: {problems(samples)}")
    assert errors == 0, problems(samples)
    assert sorted(workers["warm"]) == sorted(workers["end"]), workers  # none replaced
    assert growth <= RSS_LIMIT_PCT, rss
    assert queue_drained == 1, drained
    assert len(mix) > 0 and len(hello) > 0
