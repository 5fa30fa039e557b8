"""A volunteer with points redeems a reward in 积分商城 at phone width and sees the
code; the merchant, on the phone page, types the code and marks it used; a
second try says when it was used."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_no_serious_violations
from tests.e2e.conftest import PHONE_VIEWPORT, TIMEOUT_MS
from tests.e2e.steps import log_in
from tests.volunteers.test_rewards_support import *  # noqa: F403 (fixtures)
from tests.volunteers.test_rewards_support import credit
from volunteers import ledger
from volunteers.models import Redemption

pytestmark = pytest.mark.e2e


def test_a_volunteer_redeems_and_the_merchant_marks_the_code_used_on_a_phone(
    browser, live_server, volunteer, reward, merchant_staff, artifacts_dir: Path
):
    credit(volunteer, 100)
    contexts = [
        browser.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN") for _ in range(2)
    ]
    for context in contexts:
        context.set_default_timeout(TIMEOUT_MS)
    person, shop = (context.new_page() for context in contexts)
    try:
        log_in(person, live_server.url, volunteer.phone)
        person.goto(live_server.url + "/volunteer/rewards/")
        expect(person.get_by_role("heading", name="积分商城", level=1)).to_be_visible()
        expect(person.get_by_test_id("balance")).to_have_text("100")
        assert_no_serious_violations(person)
        person.get_by_role("link", name=re.compile("^兑换.*爱心理发券")).click()
        expect(person.get_by_text("兑换后余额 70 积分", exact=False)).to_be_visible()
        assert_no_serious_violations(person)
        person.get_by_role("button", name="确认兑换").click()
        expect(person.get_by_text(re.compile("^兑换成功"))).to_be_visible()
        made = Redemption.objects.get()
        shown = person.get_by_test_id("code")
        expect(shown).to_have_text(f"{made.code[:5]} {made.code[5:]}")
        expect(person.get_by_role("img", name="兑换码二维码")).to_be_visible()
        assert person.evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth"
        )
        assert_no_serious_violations(person)
        person.screenshot(path=artifacts_dir / "rewards-code-phone.png")
        assert ledger.balance_of(volunteer).balance == 70

        log_in(shop, live_server.url, merchant_staff.phone)
        shop.goto(live_server.url + "/volunteer/rewards/merchant/")
        expect(shop.get_by_role("heading", name="兑换码核销", level=1)).to_be_visible()
        assert_no_serious_violations(shop)
        shop.get_by_role("textbox", name="兑换码").fill(
            f"{made.code[:5].lower()} {made.code[5:]}"
        )
        shop.get_by_role("button", name="核销").click()
        expect(
            shop.get_by_text(re.compile("^核销成功：爱心理发券 · 赵\\*愿"))
        ).to_be_visible()
        assert shop.evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth"
        )
        assert_no_serious_violations(shop)
        shop.screenshot(path=artifacts_dir / "rewards-merchant-phone.png")
        shop.get_by_role("textbox", name="兑换码").fill(made.code)
        shop.get_by_role("button", name="核销").click()
        expect(shop.get_by_text(re.compile("不能重复核销"))).to_be_visible()

        person.goto(live_server.url + "/volunteer/rewards/mine/")
        expect(person.locator(".status--used")).to_have_text("已使用")
    finally:
        for context in contexts:
            context.close()
    made.refresh_from_db()
    assert made.status == Redemption.Status.USED
    assert made.used_by == merchant_staff
