"""After a failed submit the error summary takes the focus, each of its links takes
the focus to its field, and every error is tied to its field — in a real browser."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.axe import assert_no_serious_violations

pytestmark = pytest.mark.e2e


def test_a_failed_sign_up_focuses_the_error_summary_whose_links_reach_the_fields(
    phone_page: Page, live_server, grid_school, grid
):
    phone_page.goto(live_server.url + "/accounts/signup/")
    phone_page.get_by_label("手机号").fill("123")
    phone_page.get_by_role("main").get_by_role("button", name="注册").click()

    summary = phone_page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("提交未成功，请修改以下内容")
    summary.get_by_role("link", name="手机号").click()
    phone = phone_page.get_by_label("手机号")
    expect(phone).to_be_focused()
    described_by = phone.get_attribute("aria-describedby").split()
    assert "id_phone_error" in described_by
    for name in described_by:
        expect(phone_page.locator(f"#{name}")).to_have_count(1)
    # The unit picker hides the list it replaced: its link reaches the first step.
    summary.get_by_role("link", name="网格").click()
    expect(phone_page.get_by_label("街道", exact=True)).to_be_focused()
    assert_no_serious_violations(phone_page)
