"""The mixed trainee traffic of the soak (tests/bench/test_soak.py), for the load
driver of tests/bench/load.py: what a logged-in trainee does on the site, by weight.

Pages (GET, 200): the home page, the course catalogue, 我的学习, a course's page,
the class's sessions page, 我的证书, the public verify page of a certificate (the
user's own, as its QR code leads there) and the 社区活动 calendar. One action: book
a seat in one of the class's practice sessions (POST with the CSRF token, redirected
to the sessions page, which must say 预约成功 and offer the cancel form) and cancel
it (POST, redirected, 已取消预约). Baselines in the same mix, hence under the same
load: /healthz (database and queue pinged) and the bench's bare /bench/hello/.
"""

import random
import re
import time
from contextlib import suppress

from tests.bench.load import Recorder, Sample, UnexpectedResponse, VirtualUser, problems
from tests.bench.urls import HELLO_PATH

PASSWORD = "Gridschool-2026"  # school.demo.DEMO_PASSWORD, every seeded trainee's
HELLO, BARE_HELLO = "healthz", "bare_hello"
BASELINES = {HELLO, BARE_HELLO, "login_page", "login"}
CANCEL_FORM = re.compile(r'action="(/learning/bookings/\d+/cancel/)"')

WEIGHTS = {
    "home": 8,
    "catalogue": 8,
    "learning": 12,
    "course": 10,
    "sessions": 10,
    "certificates": 8,
    "verify": 8,
    "activities": 8,
    "book_and_cancel": 6,
    HELLO: 10,
    BARE_HELLO: 2,
}


def fail(user: VirtualUser, label: str, problem: str) -> None:
    user.recorder.add(Sample(label, 200, 0.0, False, time.monotonic(), problem))
    raise UnexpectedResponse(label)


def start(user: VirtualUser, prepared: dict, profile: dict) -> None:
    """Log in through the form, as the person would."""
    user.login(prepared["login_path"], profile["phone"], PASSWORD)
    user.data["verify_path"] = prepared["verify_paths"][
        prepared["users"].index({"phone": profile["phone"]})
    ]


def tasks(prepared: dict) -> dict:
    def page(label: str, path: str):
        return lambda user: user.get(label, path)

    def verify(user: VirtualUser) -> None:
        user.get("verify", user.data["verify_path"])

    def book_and_cancel(user: VirtualUser) -> None:
        booked = user.post("book", random.choice(prepared["book_paths"]), expect=(302,))
        shown = user.get("book_shown", booked.location)
        if "预约成功" not in shown.text:
            fail(user, "book_shown", "no 预约成功 on the page")
        found = CANCEL_FORM.findall(shown.text)
        if not found:
            fail(user, "book_shown", "no cancel form on the page")
        cancelled = user.post("cancel", found[0], expect=(302,))
        shown = user.get("cancel_shown", cancelled.location)
        if "已取消预约" not in shown.text:
            fail(user, "cancel_shown", "no 已取消预约 on the page")

    calls = {
        "home": page("home", prepared["home_path"]),
        "catalogue": page("catalogue", prepared["catalogue_path"]),
        "learning": page("learning", prepared["learning_path"]),
        "course": page("course", prepared["course_path"]),
        "sessions": page("sessions", prepared["sessions_path"]),
        "certificates": page("certificates", prepared["certificates_path"]),
        "verify": verify,
        "activities": page("activities", prepared["activities_path"]),
        "book_and_cancel": book_and_cancel,
        HELLO: page(HELLO, "/healthz"),
        BARE_HELLO: page(BARE_HELLO, HELLO_PATH),
    }
    return {name: (WEIGHTS[name], call) for name, call in calls.items()}


def check_every_task(port: int, prepared: dict, profile: dict) -> None:
    """One user runs each task once before the soak: a page that does not answer
    as expected fails here, by name, rather than as errors of the soak."""
    recorder = Recorder()
    user = VirtualUser("127.0.0.1", port, recorder, address=profile["address"])
    start(user, prepared, profile)
    for _weight, call in tasks(prepared).values():
        with suppress(UnexpectedResponse):
            call(user)
    user.close()
    wrong = problems(recorder.samples)
    assert not wrong, wrong
