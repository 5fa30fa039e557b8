"""A volunteer logs a service on 我的服务 at phone width, a coordinator covering
their community approves it from the queue on their phone, and the volunteer
sees the new balance. (Redeeming the points is tests/e2e of the rewards part.)"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from school import roles
from tests.e2e.axe import assert_no_serious_violations
from tests.e2e.conftest import PHONE_VIEWPORT, TIMEOUT_MS
from tests.e2e.steps import log_in
from tests.factories import UserFactory
from volunteers.models import CoordinatorScope, PointItem, ServiceRecord

pytestmark = pytest.mark.e2e


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_volunteer_logs_a_service_a_coordinator_approves_it_and_the_balance_grows(
    browser, live_server, trainee, community, artifacts_dir: Path
):
    PointItem.objects.create(name="巡查处置", category="平安建设", points=10)
    PointItem.objects.create(
        name="助老服务", category="为民服务", points=5, unit=PointItem.Unit.HOUR
    )
    coordinator = UserFactory(
        real_name="孙协调", org_unit=community, role=roles.COORDINATOR
    )
    CoordinatorScope.objects.create(coordinator=coordinator, org_unit=community)

    contexts = [
        browser.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN") for _ in range(2)
    ]
    for context in contexts:
        context.set_default_timeout(TIMEOUT_MS)
    volunteer, decider = (context.new_page() for context in contexts)
    try:
        # The volunteer logs two hours of patrol.
        log_in(volunteer, live_server.url, trainee.phone)
        volunteer.goto(live_server.url + "/volunteer/service/")
        expect(
            volunteer.get_by_role("heading", name="我的服务", level=1)
        ).to_be_visible()
        expect(volunteer.get_by_test_id("balance")).to_have_text("0")
        volunteer.get_by_label("积分事项").select_option(label="巡查处置（10 分/次）")
        volunteer.get_by_label("服务时长（小时）").fill("2")
        volunteer.get_by_label("服务地点").fill("桃园社区东门")
        volunteer.get_by_label("服务内容").fill("夜间巡查，劝导占道经营 3 处")
        assert fits_the_screen(volunteer)
        assert_no_serious_violations(volunteer)
        volunteer.get_by_role("button", name="提交登记").click()
        expect(volunteer.get_by_text("服务已登记，等待协调员审核。")).to_be_visible()
        records = volunteer.get_by_role("region", name="我的服务记录")
        expect(records.locator(".status")).to_have_text("待审核")
        volunteer.screenshot(
            path=artifacts_dir / "volunteer-service-logged-phone.png", full_page=True
        )

        # The coordinator approves it from the queue.
        log_in(decider, live_server.url, coordinator.phone)
        decider.goto(live_server.url + "/volunteer/service/queue/")
        expect(decider.get_by_text("共 1 条待审核")).to_be_visible()
        assert fits_the_screen(decider)
        assert_no_serious_violations(decider)
        decider.get_by_label("全选本页").check()
        expect(decider.get_by_label(re.compile("张三 · 巡查处置"))).to_be_checked()
        decider.get_by_role("button", name="通过所选", exact=True).click()
        expect(decider.get_by_text("已通过 1 条记录。")).to_be_visible()
        expect(decider.get_by_text("没有待审核的记录")).to_be_visible()
        decider.screenshot(path=artifacts_dir / "volunteer-service-approved-phone.png")

        # The volunteer sees the points and the hours.
        volunteer.reload()
        expect(volunteer.get_by_test_id("balance")).to_have_text("10")
        expect(records.locator(".status")).to_have_text("已通过")
        expect(records.get_by_text("计入 10 积分")).to_be_visible()
        expect(
            volunteer.get_by_role("region", name="积分明细").get_by_text("服务积分")
        ).to_be_visible()
        assert fits_the_screen(volunteer)
        assert_no_serious_violations(volunteer)
        volunteer.screenshot(
            path=artifacts_dir / "volunteer-service-balance-phone.png", full_page=True
        )
    finally:
        for context in contexts:
            context.close()

    record = ServiceRecord.objects.get()
    assert (record.status, record.decided_by) == ("approved", coordinator)
