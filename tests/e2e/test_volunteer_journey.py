"""The whole volunteer journey in one browser test (issue 13, acceptance 4): a
volunteer logs a service on their phone, a coordinator approves it, the volunteer
sees the points, redeems a reward and sees the code; the merchant marks the code
used on their phone, and the volunteer sees it as used. axe on every page."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from school import roles
from school.models import Level
from tests.e2e.axe import assert_no_serious_violations
from tests.e2e.conftest import DESKTOP_VIEWPORT, PHONE_VIEWPORT, TIMEOUT_MS
from tests.e2e.steps import log_in
from tests.factories import UserFactory
from tests.volunteers.test_rewards_support import make_reward
from volunteers import ledger
from volunteers.models import (
    CoordinatorScope,
    Merchant,
    PointItem,
    Redemption,
    ServiceRecord,
)

pytestmark = pytest.mark.e2e


def looks_right(page: Page) -> None:
    """No sideways scrolling and no serious accessibility violation on this page."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_serious_violations(page)


def test_a_volunteers_service_becomes_points_a_reward_and_a_code_the_merchant_uses(
    browser, live_server, community, grid, artifacts_dir: Path
):
    PointItem.objects.create(name="助老服务", category="为民服务", points=10)
    person = UserFactory(
        real_name="王志愿", org_unit=grid, level=Level.VOLUNTEER, role=roles.TRAINEE
    )
    coordinator = UserFactory(
        real_name="孙协调", org_unit=community, role=roles.COORDINATOR
    )
    CoordinatorScope.objects.create(coordinator=coordinator, org_unit=community)
    shopkeeper = UserFactory(real_name="周店主", org_unit=grid, role=roles.MERCHANT)
    shop = Merchant.objects.create(name="桃园理发店", address="桃园路 3 号")
    shop.staff.add(shopkeeper)
    make_reward(shop, title="爱心理发券", points_cost=8, stock=3)

    viewports = (PHONE_VIEWPORT, DESKTOP_VIEWPORT, PHONE_VIEWPORT)
    contexts = [
        browser.new_context(viewport=size, locale="zh-CN") for size in viewports
    ]
    for context in contexts:
        context.set_default_timeout(TIMEOUT_MS)
    volunteer, decider, merchant = (context.new_page() for context in contexts)
    url = live_server.url
    try:
        # The volunteer logs a service. Nothing on the site links to 我的服务
        # (no menu entry, nothing on 我的学习), so the test goes there by address.
        log_in(volunteer, url, person.phone)
        looks_right(volunteer)
        volunteer.goto(url + "/volunteer/service/")
        expect(
            volunteer.get_by_role("heading", name="我的服务", level=1)
        ).to_be_visible()
        expect(volunteer.get_by_test_id("balance")).to_have_text("0")
        volunteer.get_by_label("积分事项").select_option(label="助老服务（10 分/次）")
        volunteer.get_by_label("服务时长（小时）").fill("2")
        volunteer.get_by_label("服务地点").fill("桃园社区 5 号楼")
        volunteer.get_by_label("服务内容").fill("陪独居老人就医，代取药品")
        looks_right(volunteer)
        volunteer.get_by_role("button", name="提交登记").click()
        expect(volunteer.get_by_text("服务已登记，等待协调员审核。")).to_be_visible()
        records = volunteer.get_by_role("region", name="我的服务记录")
        expect(records.locator(".status")).to_have_text("待审核")
        looks_right(volunteer)
        volunteer.screenshot(
            path=artifacts_dir / "journey-1-service-logged-phone.png", full_page=True
        )

        # The coordinator approves it: from 我的服务 (again by address), the link
        # to the queue.
        log_in(decider, url, coordinator.phone)
        decider.goto(url + "/volunteer/service/")
        looks_right(decider)
        decider.get_by_role("link", name="待审核的服务记录").click()
        expect(decider.get_by_text("共 1 条待审核")).to_be_visible()
        looks_right(decider)
        decider.get_by_label(re.compile("王志愿 · 助老服务")).check()
        decider.get_by_role("button", name="通过所选", exact=True).click()
        expect(decider.get_by_text("已通过 1 条记录。")).to_be_visible()
        expect(decider.get_by_text("没有待审核的记录")).to_be_visible()
        looks_right(decider)

        # The volunteer sees the points.
        volunteer.reload()
        expect(volunteer.get_by_test_id("balance")).to_have_text("10")
        expect(records.locator(".status")).to_have_text("已通过")
        expect(records.get_by_text("计入 10 积分")).to_be_visible()
        looks_right(volunteer)

        # ... and redeems them. 我的服务 has no link to 积分商城: by address.
        volunteer.goto(url + "/volunteer/rewards/")
        expect(
            volunteer.get_by_role("heading", name="积分商城", level=1)
        ).to_be_visible()
        expect(volunteer.get_by_test_id("balance")).to_have_text("10")
        looks_right(volunteer)
        volunteer.get_by_role("link", name=re.compile("^兑换.*爱心理发券")).click()
        expect(
            volunteer.get_by_role("heading", name="确认兑换", level=1)
        ).to_be_visible()
        expect(volunteer.get_by_text("兑换后余额 2 积分", exact=False)).to_be_visible()
        looks_right(volunteer)
        volunteer.get_by_role("button", name="确认兑换").click()
        expect(volunteer.get_by_text(re.compile("^兑换成功"))).to_be_visible()
        made = Redemption.objects.get()
        grouped = f"{made.code[:5]} {made.code[5:]}"
        expect(volunteer.get_by_test_id("code")).to_have_text(grouped)
        looks_right(volunteer)

        # 我的兑换 shows the code and the balance left.
        volunteer.get_by_role("link", name="我的兑换").click()
        expect(
            volunteer.get_by_role("heading", name="我的兑换", level=1)
        ).to_be_visible()
        expect(volunteer.get_by_text(re.compile("^积分余额 2。"))).to_be_visible()
        card = volunteer.get_by_role("listitem").filter(has_text="爱心理发券")
        expect(card.get_by_test_id("code")).to_have_text(grouped)
        expect(card.locator(".status")).to_have_text("待使用")
        looks_right(volunteer)
        volunteer.screenshot(
            path=artifacts_dir / "journey-2-code-phone.png", full_page=True
        )

        # The merchant types the code (as read out: spaced, lower case) and marks
        # it used. Nothing links to the merchant page: by address.
        log_in(merchant, url, shopkeeper.phone)
        merchant.goto(url + "/volunteer/rewards/merchant/")
        expect(
            merchant.get_by_role("heading", name="兑换码核销", level=1)
        ).to_be_visible()
        looks_right(merchant)
        merchant.get_by_role("textbox", name="兑换码").fill(grouped.lower())
        merchant.get_by_role("button", name="核销").click()
        expect(
            merchant.get_by_text(re.compile("^核销成功：爱心理发券 · 王\\*愿"))
        ).to_be_visible()
        looks_right(merchant)
        merchant.screenshot(path=artifacts_dir / "journey-3-merchant-phone.png")

        # The volunteer sees it used.
        volunteer.reload()
        expect(card.locator(".status")).to_have_text("已使用")
        expect(card.get_by_role("button", name=re.compile("取消兑换"))).to_have_count(0)
        looks_right(volunteer)
    finally:
        for context in contexts:
            context.close()

    record = ServiceRecord.objects.get()
    assert (record.status, record.decided_by) == ("approved", coordinator)
    made.refresh_from_db()
    assert (made.status, made.used_by) == (Redemption.Status.USED, shopkeeper)
    assert ledger.balance_of(person).balance == 2
