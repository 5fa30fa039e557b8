"""A newcomer signs up, logs out and logs back in, in a real browser."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from school.models import Level, User
from tests.e2e.axe import assert_no_serious_violations

pytestmark = pytest.mark.e2e

PHONE = "13912345678"
NAME = "刘晓梅"
PASSWORD = "Grid-School-2026"


def test_a_newcomer_signs_up_logs_out_and_logs_back_in_by_phone(
    page: Page, live_server, grid_school, volunteer_academy, grid
):
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("测试区网格学校")
    assert_no_serious_violations(page)

    page.get_by_role("navigation").get_by_role("link", name="注册").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("注册")
    assert_no_serious_violations(page)
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_label("姓名").fill(NAME)
    street, community = grid.get_ancestors()[1:]
    page.get_by_label("街道", exact=True).select_option(label=street.name)
    page.get_by_label("社区", exact=True).select_option(label=community.name)
    page.get_by_label("网格", exact=True).select_option(label=grid.name)
    page.get_by_label(re.compile(r"^密码")).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_label("我已阅读并同意《个人信息保护说明》").check()
    page.get_by_role("main").get_by_role("button", name="注册").click()

    expect(page).to_have_url(re.compile(r"/learning/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.get_by_role("navigation").get_by_role("link", name="个人资料").click()
    summary = page.locator(".profile-summary")
    expect(summary).to_contain_text(NAME)
    expect(summary).to_contain_text("居民")
    user = User.objects.get(phone=PHONE)
    assert (user.real_name, user.org_unit, user.level) == (NAME, grid, Level.RESIDENT)

    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("link", name="登录", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="退出登录")).to_have_count(0)

    page.get_by_role("navigation").get_by_role("link", name="登录").click()
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="登录").click()

    expect(page).to_have_url(re.compile(r"/learning/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("我的学习")
    assert_no_serious_violations(page)

    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("button", name="退出登录")).to_have_count(0)
    page.goto(live_server.url + "/accounts/profile/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_the_home_page_fits_a_phone_screen(
    phone_page: Page,
    live_server,
    grid_school,
    volunteer_academy,
    practice_site,
    artifacts_dir: Path,
):
    phone_page.goto(live_server.url + "/")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("测试区网格学校")
    expect(phone_page.get_by_text(practice_site.name)).to_be_visible()
    phone_page.screenshot(path=artifacts_dir / "home-390x844.png", full_page=True)

    scroll_width = phone_page.evaluate("document.scrollingElement.scrollWidth")
    viewport_width = phone_page.viewport_size["width"]
    assert scroll_width <= viewport_width, (
        f"the home page is {scroll_width}px wide on a {viewport_width}px phone"
    )
    assert_no_serious_violations(phone_page)
