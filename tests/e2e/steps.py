"""Steps several browser tests take: logging in to the site and to the admin."""

import re

from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD


def log_in(page: Page, base_url: str, phone: str) -> None:
    """Log in on the site's own form; it lands on 我的学习."""
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/learning/$"))


def admin_log_in(page: Page, base_url: str, phone: str) -> None:
    """Log in on the Wagtail admin's form; it lands on the dashboard."""
    page.goto(base_url + "/admin/login/")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name=re.compile("登录")).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
