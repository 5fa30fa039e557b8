"""Real processes for the multi-process and fault tests: gunicorn web processes and
`manage.py qcluster` clusters on the test's PostgreSQL database, with Redis (or the
ORM broker) as the queue; all of them started in their own process group so a
test can SIGKILL one whole, and stopped in `finally`.

The children run a settings module written for the test (school.settings.test
with the queue asynchronous and the database the test's own), so the shared
settings stay untouched; timeout and retry are set there too.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection

import pytest
import requests
from django_q.conf import Conf

from certificates import services as certificate_services

REPOSITORY = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
CLAIM = "gridschool-test-claim"

SETTINGS = """
from school.settings.test import *  # noqa: F403
from school.settings.base import Q_CLUSTER as _QUEUE

DEBUG = False
DATABASES["default"]["NAME"] = {database!r}
Q_CLUSTER = {{
    **_QUEUE,
    "sync": False,
    "workers": {workers},
    "timeout": {timeout},
    "retry": {retry},
    "poll": 0.2,
}}
Q_CLUSTER.pop("redis", None)
Q_CLUSTER.pop("orm", None)
Q_CLUSTER.update({broker!r})
if "redis" in Q_CLUSTER:
    # Shared by every process, as in production (the suite's is per process).
    CACHES = {{
        "default": {{
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": Q_CLUSTER["redis"],
        }}
    }}
"""


# Several processes on one database: the PostgreSQL pass (skipped before any
# fixture is built on SQLite).
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="multi-process: PostgreSQL pass only"
)


@pytest.fixture(name="redis_url")
def redis_url_fixture():
    """A Redis database of this test's own (the first empty one, claimed), emptied
    after; the server from REDIS_URL or the local one."""
    redis = pytest.importorskip("redis")
    base = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    parts = urlsplit(base)
    for number in range(1, 16):
        url = urlunsplit(parts._replace(path=f"/{number}"))
        client = redis.Redis.from_url(url, socket_connect_timeout=3)
        try:
            claimed = client.dbsize() == 0 and client.set(CLAIM, 1, nx=True, ex=900)
        except redis.ConnectionError as error:
            pytest.skip(f"no Redis at {base}: {error}")
        if claimed:
            break
    else:
        pytest.skip("no free Redis database")
    try:
        yield url
    finally:
        client.flushdb()


def write_settings(
    directory: Path,
    *,
    redis_url: str | None,
    workers: int = 1,
    timeout: int = 60,
    retry: int = 90,
) -> str:
    """A settings module for the children; returns its name. Without `redis_url`
    the queue is the ORM broker on the test database."""
    broker = {"redis": redis_url} if redis_url else {"orm": "default"}
    name = f"operations_child_settings_{os.getpid()}"
    (directory / f"{name}.py").write_text(
        SETTINGS.format(
            database=str(connection.settings_dict["NAME"]),
            workers=workers,
            timeout=timeout,
            retry=retry,
            broker=broker,
        )
    )
    return name


def child_environment(directory: Path, settings: str, redis_url: str | None) -> dict:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "PYTHONPATH": os.pathsep.join([str(directory), str(REPOSITORY)]),
    }
    environment.pop("REDIS_URL", None)
    if redis_url:
        environment["REDIS_URL"] = redis_url
    return environment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children(pid: int) -> list[int]:
    """Every descendant of `pid`, from /proc."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            listed = (task / "children").read_text().split()
        except OSError:
            continue
        for child in map(int, listed):
            found += [child, *children(child)]
    return found


class Child:
    """One started process (its own process group) and its log."""

    def __init__(self, name: str, command: list[str], environment: dict, log: Path):
        self.name, self.log_path = name, log
        self._log = log.open("w")
        self.process = subprocess.Popen(  # noqa: S603
            command,
            cwd=REPOSITORY,
            env=environment,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self, tail: int = 4000) -> str:
        return f"--- {self.name} ---\n" + self.log_path.read_text()[-tail:]

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole group: nothing gets to clean up."""
        with suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.process.wait()

    def terminate(self) -> None:
        if self.alive():
            with suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGTERM)

    def stop(self, deadline: float | None = None) -> None:
        """Wait for the process to end after `terminate` (until `deadline`), then
        SIGKILL whatever of its group is left."""
        self.terminate()
        with suppress(subprocess.TimeoutExpired):
            self.process.wait(
                timeout=max(0.1, (deadline or time.monotonic() + 15) - time.monotonic())
            )
        with suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.process.wait()
        self._log.close()


def launch_web(directory: Path, environment: dict, *, threads: int = 8) -> Child:
    """A gunicorn master with one worker process on a free port (not yet waited
    for: see `ready`)."""
    port = free_port()
    # Newer gunicorns open a control socket shared by every server of the user.
    help_text = subprocess.run(  # noqa: S603
        [str(GUNICORN), "--help"], capture_output=True, text=True, check=False
    ).stdout
    options = ["--no-control-socket"] if "--no-control-socket" in help_text else []
    web = Child(
        f"web:{port}",
        [
            str(GUNICORN),
            "school.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--backlog",
            "512",
            "--timeout",
            "60",
            *options,
        ],
        environment,
        directory / f"web-{port}.log",
    )
    web.url = f"http://127.0.0.1:{port}"
    return web


def launch_cluster(directory: Path, environment: dict, *, workers: int = 1) -> Child:
    """`manage.py qcluster` (not yet waited for: see `ready`)."""
    number = len(list(directory.glob("qcluster-*")))
    cluster = Child(
        f"qcluster-{number}",
        [sys.executable, "manage.py", "qcluster"],
        environment,
        directory / f"qcluster-{number}.log",
    )
    cluster.workers = workers
    return cluster


def _answers(web: Child) -> bool:
    try:
        # The first request also waits for the worker to load the project.
        requests.get(web.url + "/accounts/login/", timeout=60)
    except requests.ConnectionError:
        return False
    return True


def ready(*started: Child, timeout: float = 90) -> None:
    """Until every web process answers and every cluster's sentinel has started
    its monitor, pusher and workers (all of them starting at once)."""
    deadline = time.monotonic() + timeout
    waiting = list(started)
    while waiting:
        for child in list(waiting):
            assert child.alive(), child.log()
            assert time.monotonic() < deadline, child.log()
            if hasattr(child, "url"):
                up = _answers(child)
            else:
                up = len(children(child.pid)) >= child.workers + 2
            if up:
                waiting.remove(child)
        time.sleep(0.2)


def start_web(directory: Path, environment: dict, *, threads: int = 8) -> Child:
    web = launch_web(directory, environment, threads=threads)
    ready(web)
    return web


def start_cluster(directory: Path, environment: dict, *, workers: int = 1) -> Child:
    cluster = launch_cluster(directory, environment, workers=workers)
    ready(cluster)
    return cluster


@contextmanager
def stopped_in_the_end(started: list[Child]):
    """Stops every child in `started` (which the block fills), whatever happens."""
    try:
        yield started
    finally:
        for child in started:
            child.terminate()
        deadline = time.monotonic() + 15
        for child in started:
            child.stop(deadline)


def wait_for(predicate, *, timeout: float, what: str, logs=()) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            details = "\n".join(child.log() for child in logs)
            raise AssertionError(f"timed out waiting for {what}\n{details}")
        time.sleep(0.25)


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def logged_in(base_url: str, session_key: str, *, page: str) -> tuple:
    """A client with the person's session cookie and the CSRF token of `page`."""
    client = requests.Session()
    client.cookies.set(settings.SESSION_COOKIE_NAME, session_key)
    # Not kept alive: the server may close an idle connection just as the next
    # request goes out on it (a reset that is no fault of the server's).
    response = client.get(base_url + page, timeout=60, headers={"Connection": "close"})
    response.raise_for_status()
    match = CSRF_INPUT.search(response.text)
    assert match, response.text[:2000]
    return client, match.group(1)


def crowd(course, grid, size: int):
    """`size` trainees studying in a new class of the course, each logged in: the
    class and their session keys (sessions written directly, without the login
    signals' bookkeeping)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from courses.models import Enrollment
    from tests.courses.factories import TrainingClassFactory
    from tests.factories import UserFactory

    training_class = TrainingClassFactory(course=course, capacity=size)
    people = UserFactory.create_batch(size, org_unit=grid)
    Enrollment.objects.bulk_create(
        Enrollment(
            training_class=training_class,
            trainee=person,
            status=Enrollment.Status.ACTIVE,
        )
        for person in people
    )
    store = SessionStore()
    sessions = [
        Session(
            session_key=get_random_string(32),
            session_data=store.encode(
                {
                    SESSION_KEY: str(person.pk),
                    BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                    HASH_SESSION_KEY: person.get_session_auth_hash(),
                }
            ),
            expire_date=timezone.now() + timedelta(hours=1),
        )
        for person in people
    ]
    Session.objects.bulk_create(sessions)
    return training_class, [session.session_key for session in sessions]


def enqueue_to(monkeypatch, redis: str, *, chunk: int) -> None:
    """This process enqueues to the children's Redis instead of running the task
    itself (the suite's settings run the queue synchronously)."""
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", redis)
    chunks = certificate_services._chunks
    monkeypatch.setattr(
        certificate_services, "_chunks", lambda ids, size=chunk: chunks(ids, size)
    )


def queue_length(redis: str) -> int:
    import redis as redis_client

    return redis_client.Redis.from_url(redis).llen(f"django_q:{Conf.CLUSTER_NAME}:q")
