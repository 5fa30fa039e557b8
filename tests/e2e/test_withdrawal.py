"""A trainee withdraws from a class at phone width: the course page leads to a
confirmation that says what is lost; 返回 changes nothing, 确认退出 withdraws."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from courses import services
from courses.models import Enrollment
from tests.e2e.axe import assert_no_serious_violations
from tests.e2e.steps import log_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("screen", ["phone_page", "page"])
def test_withdrawing_asks_for_confirmation_and_going_back_changes_nothing(
    screen, request, live_server, trainee, training_class, lessons, artifacts_dir: Path
):
    enrollment = services.enroll_trainee(training_class, trainee=trainee, actor=trainee)
    page: Page = request.getfixturevalue(screen)
    log_in(page, live_server.url, trainee.phone)
    page.goto(live_server.url + "/courses/gong-yi/")

    page.get_by_role("link", name="退出该班").click()
    expect(page).to_have_url(re.compile(rf"/learning/enrollments/{enrollment.pk}/"))
    expect(page.get_by_role("heading", name="确认退出培训班")).to_be_visible()
    expect(page.get_by_text("名额将释放给其他学员")).to_be_visible()
    expect(page.get_by_text("会保留在记录中")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_serious_violations(page)
    page.screenshot(path=artifacts_dir / f"withdrawal-confirmation-{screen}.png")

    page.get_by_role("link", name="返回").click()
    expect(page).to_have_url(re.compile(r"/courses/gong-yi/$"))
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE

    page.get_by_role("link", name="退出该班").click()
    page.get_by_role("button", name="确认退出").click()
    expect(page).to_have_url(re.compile(r"/courses/gong-yi/$"))
    expect(page.get_by_text(re.compile("^已退出"))).to_be_visible()
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.WITHDRAWN
