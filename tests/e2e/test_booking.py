"""Two trainees and the last seat, in a real browser at phone and desktop width:
A books it from 我的学习, B finds the session full and joins the waitlist at
position 1, A cancels, and B's 我的学习 shows the seat won from the waitlist (and
B's mailbox the e-mail saying so, sent by the queue after commit)."""

import re
from pathlib import Path

from django.core import mail

import pytest
from playwright.sync_api import Page, expect

from courses.models import BookableSession, Booking, Enrollment
from tests.e2e.axe import assert_no_serious_violations
from tests.e2e.conftest import DESKTOP_VIEWPORT, PHONE_VIEWPORT, TIMEOUT_MS
from tests.e2e.steps import log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

VIEWPORTS = {"phone": PHONE_VIEWPORT, "desktop": DESKTOP_VIEWPORT}


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def open_sessions_from_my_learning(page: Page) -> None:
    page.get_by_role("link", name=re.compile("^实践场次预约")).click()
    expect(page.get_by_role("heading", name="实践场次预约", level=1)).to_be_visible()


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_the_last_seat_goes_to_a_then_to_b_from_the_waitlist(
    screen,
    browser,
    live_server,
    trainee,
    training_class,
    class_session,
    artifacts_dir: Path,
):
    BookableSession.objects.filter(pk=class_session.pk).update(seats=1)
    trainee.email = "a@example.cn"
    trainee.save(update_fields=["email"])
    second = UserFactory(real_name="王小二", email="b@example.cn")
    for person in (trainee, second):
        Enrollment.objects.create(
            training_class=training_class,
            trainee=person,
            status=Enrollment.Status.ACTIVE,
        )
    contexts = [
        browser.new_context(viewport=VIEWPORTS[screen], locale="zh-CN")
        for _ in range(2)
    ]
    for context in contexts:
        context.set_default_timeout(TIMEOUT_MS)
    a, b = (context.new_page() for context in contexts)
    try:
        # A books the only seat.
        log_in(a, live_server.url, trainee.phone)
        open_sessions_from_my_learning(a)
        assert fits_the_screen(a)
        assert_no_serious_violations(a)
        a.get_by_role("button", name=re.compile("^预约")).click()
        expect(a.get_by_text(re.compile("^预约成功"))).to_be_visible()
        expect(a.locator(".session-card .status")).to_have_text("已预约")
        a.screenshot(path=artifacts_dir / f"booking-a-booked-{screen}.png")

        # B finds it full and joins the waitlist, first in line.
        log_in(b, live_server.url, second.phone)
        open_sessions_from_my_learning(b)
        expect(b.get_by_text("共 1 个，剩余 0 个")).to_be_visible()
        b.get_by_role("button", name=re.compile("^加入候补")).click()
        expect(b.get_by_text(re.compile("已进入候补（候补第 1 位）"))).to_be_visible()
        expect(b.locator(".session-card .status")).to_have_text("候补第 1 位")
        assert_no_serious_violations(b)
        b.screenshot(path=artifacts_dir / f"booking-b-waitlisted-{screen}.png")

        # A cancels; the seat goes to B at once.
        a.get_by_role("button", name=re.compile("^取消预约")).click()
        expect(a.get_by_text("已取消预约，座位已让出。")).to_be_visible()
        expect(a.locator(".session-card .status")).to_have_text("已取消")

        b.goto(live_server.url + "/learning/")
        bookings = b.get_by_role("region", name="我的预约")
        expect(bookings.get_by_text("候补已转为预约成功")).to_be_visible()
        expect(bookings.locator(".status")).to_have_text("已预约")
        assert fits_the_screen(b)
        assert_no_serious_violations(b)
        b.screenshot(
            path=artifacts_dir / f"booking-b-promoted-{screen}.png", full_page=True
        )
    finally:
        for context in contexts:
            context.close()

    assert Booking.objects.get(trainee=second).status == Booking.Status.CONFIRMED
    subjects = {message.to[0]: [] for message in mail.outbox}
    for message in mail.outbox:
        subjects[message.to[0]].append(message.subject)
    assert any("候补已转为预约成功" in s for s in subjects["b@example.cn"])
    assert any("预约已取消" in s for s in subjects["a@example.cn"])
