"""A flash crowd against the server `make run` starts: 300 trainees press 报名 on one
class with 100 seats in the same instant.

The server is the real one: `bin/serve` (what `make run` runs after migrating and
seeding) on a free port, with its own GRIDSCHOOL_VAR_DIR, migrated and seeded with
`seed_demo --trainees 300` first. The trainees are logged in by sessions written
straight into that database (300 password checks would only measure PBKDF2), each
with a CSRF cookie and the same token in the form, as a browser would send them.
300 threads wait at a barrier, then each opens its own connection and POSTs: the
connections arrive together, as a crowd's do, so the listen backlog is part of
what is measured. Connection resets, 5xx and the enrolments made are counted;
exactly `capacity` enrolments must exist afterwards.

The same crowd meets `bin/serve --dev` (Django's runserver, `make dev`) as the
baseline: its listen backlog holds 10 connections.
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings

import pytest

ROOT = Path(settings.BASE_DIR)
TRAINEES = 300
CAPACITY = 100
MACHINE_SPECIFIC = (
    "DJANGO_SETTINGS_MODULE",
    "SITE_URL",
    "PORT",
    "SECRET_KEY",
    "REDIS_URL",
    "DATABASE_URL",
    "SQLITE_PATH",
    "STATIC_ROOT",
    "WEB_CONCURRENCY",
)

# Run in the server's own settings: one class with CAPACITY seats on a course
# anyone may take, and a logged-in session for each of the first TRAINEES demo
# trainees. The certificate jobs seed_demo queued are dropped, so that the rush
# meets a server that does nothing else.
# Prepended to the set-up scripts run in the server's settings: a logged-in browser
# for a user, without hashing a password.
LOGGED_IN = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils.crypto import get_random_string


def logged_in(user):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return [session.session_key, get_random_string(32)]
"""

PREPARE = (
    LOGGED_IN
    + """
import json
from datetime import timedelta

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django_q.models import OrmQ

from courses.models import ClassLevel, CoursePage, TrainingClass
from school.models import Level, User

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
    capacity=CAPACITY,
    enrol_opens_at=now - timedelta(hours=1),
    enrol_closes_at=now + timedelta(days=1),
    starts_on=(now + timedelta(days=7)).date(),
    ends_on=(now + timedelta(days=14)).date(),
)
trainees = list(User.objects.filter(phone__startswith="139").order_by("phone")[:TRAINEES])
assert len(trainees) == TRAINEES, len(trainees)
clients = [logged_in(trainee) for trainee in trainees]
OrmQ.objects.all().delete()
print(json.dumps({
    "class_id": training_class.pk,
    "enrol_path": reverse("courses:enrol", args=[training_class.pk]),
    "course_path": course.get_url(),
    "clients": clients,
}))
""".replace("TRAINEES", str(TRAINEES)).replace("CAPACITY", str(CAPACITY))
)

COUNT = """
import json
from courses.models import Enrollment, TrainingClass
training_class = TrainingClass.objects.get(pk=CLASS_ID)
print(json.dumps({
    "enrolled": Enrollment.objects.filter(training_class=training_class).count(),
    "seats_taken": training_class.seats_taken,
}))
"""


def environment(var_dir: Path, settings_module: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in MACHINE_SPECIFIC}
    env.update(
        GRIDSCHOOL_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE=settings_module,
        STATIC_ROOT=str(var_dir / "static_root"),
        **extra,
    )
    return env


def manage(env: dict[str, str], *args: str, timeout: int = 600) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def python_in(env: dict[str, str], code: str) -> dict:
    output = manage(env, "shell", "--no-imports", "-c", code)
    return json.loads(output.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def processes_in_session(session_id: int) -> list[int]:
    """Every process of a session: bin/serve puts each child in its own process
    group, but they all stay in the session it was started in."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[3]) == session_id:  # after pid, comm: state ppid pgrp session
            found.append(int(entry.name))
    return found


@contextmanager
def serving(command: list[str], env: dict[str, str], log: Path) -> Iterator[None]:
    """Run `command` (bin/serve) until the block ends, and stop it however the block
    ends: SIGTERM as Ctrl-C would, then SIGKILL for anything left of its session."""
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=40)
        for pid in processes_in_session(process.pid):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_until_healthy(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(  # noqa: S310
                f"http://127.0.0.1:{port}/healthz", timeout=5
            ) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"the server did not answer:\n{log.read_text()[-3000:]}")


def request(port: int, method: str, path: str, client: list[str]) -> str:
    """One request in a fresh connection, as a browser tab sends it: the outcome
    as a status class ("2xx" …) or the way the connection failed. `client` is
    [session key, CSRF token, …] as the set-up scripts print it."""
    session_key, csrf, *_ = client
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=180)
    try:
        connection.request(
            method,
            path,
            body=urlencode({"csrfmiddlewaretoken": csrf}) if method == "POST" else None,
            headers={
                "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        response = connection.getresponse()
        response.read()
        return f"{response.status // 100}xx"
    except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
        return "reset"
    except ConnectionRefusedError:
        return "refused"
    except TimeoutError:
        return "timeout"
    except OSError as error:
        return type(error).__name__
    finally:
        connection.close()


def flash(
    port: int, clients: list[list[str]], path: str | None = None
) -> tuple[Counter, list[float], float]:
    """Every client POSTs at once (to `path`, else to the path each client carries
    third). Returns the outcomes by class, each request's seconds and the wall
    seconds of the whole flash."""
    barrier = threading.Barrier(len(clients) + 1)
    results: list[tuple[str, float]] = [("", 0.0)] * len(clients)

    def press(index: int) -> None:
        client = clients[index]
        barrier.wait()
        started = time.perf_counter()
        outcome = request(port, "POST", path or client[2], client)
        results[index] = (outcome, time.perf_counter() - started)

    threads = [
        threading.Thread(target=press, args=(index,)) for index in range(len(clients))
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return Counter(o for o, _ in results), [s for _, s in results], seconds


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A database as `make run` leaves it, with TRAINEES demo trainees."""
    var_dir = tmp_path_factory.mktemp("make-run-seeded")
    env = environment(var_dir, "school.settings.run")
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo", "--trainees", str(TRAINEES))
    return var_dir


@pytest.mark.parametrize(
    ("figure", "command", "settings_module"),
    [
        ("make_run", ["bin/serve"], "school.settings.run"),
        ("make_dev", ["bin/serve", "--dev"], "school.settings.dev"),
    ],
)
def test_a_flash_crowd_of_300_enrolments_meets_the_server_of_make_run(
    seeded, tmp_path, record_figures, figure, command, settings_module
):
    var_dir = tmp_path / "var"
    shutil.copytree(seeded, var_dir, ignore=shutil.ignore_patterns("secret_key"))
    port = free_port()
    env = environment(var_dir, settings_module, PORT=str(port))
    prepared = python_in(env, PREPARE)
    clients = prepared["clients"]

    log = tmp_path / "server.log"
    with serving(command, env, log) as process:
        wait_until_healthy(port, process, log)
        # A few trainees look at the course first: every worker has started.
        for client in clients[:20]:
            assert request(port, "GET", prepared["course_path"], client) == "2xx"
        outcomes, _, seconds = flash(port, clients, prepared["enrol_path"])
    counted = python_in(env, COUNT.replace("CLASS_ID", str(prepared["class_id"])))

    resets = outcomes["reset"] + outcomes["refused"]
    record_figures(
        **{
            f"{figure}_rush_300_resets": resets,
            f"{figure}_rush_300_5xx": outcomes["5xx"],
            f"{figure}_rush_300_2xx_3xx": outcomes["2xx"] + outcomes["3xx"],
            f"{figure}_rush_300_enrolled": counted["enrolled"],
            f"{figure}_rush_300_s": seconds,
        }
    )
    print(f"\n{figure}: {dict(outcomes)} in {seconds:.1f} s, {counted}")
    # Never more enrolments than seats, however the server fared.
    assert counted["enrolled"] == counted["seats_taken"] <= CAPACITY
    if figure == "make_run":
        assert resets == 0, dict(outcomes)
        assert outcomes["5xx"] == 0, dict(outcomes)
        assert outcomes["3xx"] == TRAINEES, dict(outcomes)
        assert counted["enrolled"] == CAPACITY
