"""A small load driver (an in-house equal of locust): virtual users in threads, each
with its own keep-alive connection, cookies (its session and CSRF token) and client
address, running weighted tasks against a server for a while.

- `VirtualUser`: one browser. `login(phone, password)` goes through the real login
  form (GET for the CSRF cookie, POST), `get`/`post` send its cookies, a POST
  carries the CSRF token from its cookie in the form, as the page's form would.
  A keep-alive connection the server closed while the user was idle is reopened
  and the request sent again once, as browsers do (counted as a reconnect, not an
  error); any other failure is an error.
- `Recorder`: every request's label, status, seconds and whether it was what the
  task expected (a status outside `expect`, a connection error or a timeout is an
  error). Thread-safe.
- `run_users(...)`: start the users, each logging in and then picking tasks by
  weight until the deadline.

Nothing here knows the application: the scenario (tests/bench/soak_scenario.py)
names the paths and what each should answer.
"""

import http.client
import random
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

TIMEOUT_S = 60
STALE = (
    http.client.RemoteDisconnected,
    ConnectionResetError,
    BrokenPipeError,
    ConnectionAbortedError,
)


@dataclass
class Sample:
    label: str
    status: int  # 0 when no response came
    seconds: float
    ok: bool
    at: float  # time.monotonic() at the end
    problem: str = ""


class Recorder:
    """The samples of one run, from every thread."""

    def __init__(self) -> None:
        self.samples: list[Sample] = []
        self.reconnects = 0
        self._lock = threading.Lock()

    def add(self, sample: Sample) -> None:
        with self._lock:
            self.samples.append(sample)

    def reconnected(self) -> None:
        with self._lock:
            self.reconnects += 1

    def between(self, start: float, end: float) -> list[Sample]:
        with self._lock:
            return [s for s in self.samples if start <= s.at < end]


def p95(seconds: Iterable[float]) -> float:
    values = list(seconds)
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def summary(samples: list[Sample]) -> dict[str, dict[str, float]]:
    """Per label: count, errors, p50 and p95 in milliseconds."""
    by_label: dict[str, list[Sample]] = {}
    for sample in samples:
        by_label.setdefault(sample.label, []).append(sample)
    return {
        label: {
            "count": len(rows),
            "errors": sum(not s.ok for s in rows),
            "p50_ms": statistics.median(s.seconds for s in rows) * 1000,
            "p95_ms": p95(s.seconds for s in rows) * 1000,
        }
        for label, rows in sorted(by_label.items())
    }


def problems(samples: list[Sample], limit: int = 20) -> Counter:
    return Counter(
        f"{s.label}: {s.status} {s.problem}".strip() for s in samples if not s.ok
    ).most_common(limit)


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def location(self) -> str:
        return urlsplit(self.headers.get("Location", "")).path

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class UnexpectedResponse(Exception):
    """A task met an answer it did not expect; the request is already recorded."""


@dataclass
class VirtualUser:
    host: str
    port: int
    recorder: Recorder
    address: str = "127.0.0.1"  # sent as X-Forwarded-For (the server trusts 1 proxy)
    cookies: dict[str, str] = field(default_factory=dict)
    connection: http.client.HTTPConnection | None = None
    data: dict = field(default_factory=dict)  # whatever the scenario keeps per user

    def _connect(self) -> http.client.HTTPConnection:
        self.connection = http.client.HTTPConnection(
            self.host, self.port, timeout=TIMEOUT_S
        )
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def _headers(self, extra: dict[str, str]) -> dict[str, str]:
        headers = {
            "Accept": "text/html,application/xhtml+xml",
            "Accept-Language": "zh-CN,zh;q=0.9",
            "X-Forwarded-For": self.address,
            **extra,
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _keep_cookies(self, headers: http.client.HTTPMessage) -> None:
        for line in headers.get_all("Set-Cookie") or ():
            jar = SimpleCookie()
            jar.load(line)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def _send(
        self, method: str, path: str, body: str | None, headers: dict
    ) -> Response:
        reused = self.connection is not None
        connection = self.connection or self._connect()
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
        except STALE:
            if not reused:
                raise
            # The server closed the idle keep-alive connection: a browser opens
            # a new one and sends the request again.
            self.recorder.reconnected()
            self.close()
            connection = self._connect()
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
        content = answer.read()
        if answer.will_close:
            self.close()
        return Response(answer.status, answer.headers, content)

    def request(
        self,
        label: str,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        expect: tuple[int, ...] = (200,),
    ) -> Response:
        """Send, record, keep the cookies; raise UnexpectedResponse unless the
        status is one of `expect`."""
        headers = {}
        body = None
        if method == "POST":
            form = {
                "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
                **(form or {}),
            }
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            response = self._send(method, path, body, self._headers(headers))
        except (OSError, http.client.HTTPException) as error:
            self.close()
            elapsed = time.perf_counter() - started
            self.recorder.add(
                Sample(label, 0, elapsed, False, time.monotonic(), type(error).__name__)
            )
            raise UnexpectedResponse(label) from error
        elapsed = time.perf_counter() - started
        self._keep_cookies(response.headers)
        ok = response.status in expect
        problem = "" if ok else f"{method} {path} → {response.location}"
        self.recorder.add(
            Sample(label, response.status, elapsed, ok, time.monotonic(), problem)
        )
        if not ok:
            raise UnexpectedResponse(label)
        return response

    def get(self, label: str, path: str, **kwargs) -> Response:
        return self.request(label, "GET", path, **kwargs)

    def post(self, label: str, path: str, **kwargs) -> Response:
        return self.request(label, "POST", path, **kwargs)

    def login(self, login_path: str, phone: str, password: str) -> None:
        self.get("login_page", login_path)
        answer = self.post(
            "login",
            login_path,
            form={"username": phone, "password": password},
            expect=(302,),
        )
        assert "sessionid" in self.cookies, answer.text[:500]


Task = Callable[[VirtualUser], None]


def run_users(
    *,
    host: str,
    port: int,
    recorder: Recorder,
    users: list[dict],
    tasks: dict[str, tuple[int, Task]],
    seconds: float,
    start: Callable[[VirtualUser, dict], None],
    during: Callable[[float, float], None] | None = None,
    think: tuple[float, float] = (0.05, 0.4),
    seed: int = 16,
) -> tuple[float, float]:
    """Each of `users` (a dict each, handed to `start`, which logs the user in)
    runs weighted `tasks` for `seconds` after every user has started; meanwhile
    `during(start, end)` runs in the calling thread. Returns the monotonic start
    and end of the traffic."""
    names = list(tasks)
    weights = [tasks[name][0] for name in names]
    ready = threading.Barrier(len(users) + 1)
    window: dict[str, float] = {}
    go = threading.Event()
    failures: list[BaseException] = []

    def live(index: int, profile: dict) -> None:
        rng = random.Random(seed + index)
        user = VirtualUser(host, port, recorder, address=profile["address"])
        try:
            start(user, profile)
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)
            ready.abort()
            return
        try:
            ready.wait()
        except threading.BrokenBarrierError:
            return
        go.wait()
        while time.monotonic() < window["end"]:
            name = rng.choices(names, weights)[0]
            # An unexpected answer is recorded; the user carries on, as people do.
            with suppress(UnexpectedResponse):
                tasks[name][1](user)
            time.sleep(rng.uniform(*think))
        user.close()

    threads = [
        threading.Thread(target=live, args=(index, profile), daemon=True)
        for index, profile in enumerate(users)
    ]
    for thread in threads:
        thread.start()
    try:
        ready.wait()
    except threading.BrokenBarrierError:
        for thread in threads:
            thread.join(timeout=TIMEOUT_S)
        raise RuntimeError(
            f"a virtual user could not start: {failures[:3]!r}"
        ) from None
    window["start"] = time.monotonic()
    window["end"] = window["start"] + seconds
    go.set()
    if during is not None:
        during(window["start"], window["end"])
    for thread in threads:
        thread.join()
    return window["start"], time.monotonic()
