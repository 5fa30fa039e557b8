"""An administrator imports a list and prints the activation slips; an imported
person activates their account on a narrow phone with the code from the slip."""

import re

import pytest
from playwright.sync_api import Page, expect

from school import encryption, services
from school.models import ActivationCode, User
from tests.e2e.axe import assert_no_serious_violations
from tests.e2e.steps import admin_log_in
from tests.school.factories import PHONES, good_file

pytestmark = pytest.mark.e2e

PASSWORD = "Harbour-Lights-88"


def test_slips_are_printed_and_a_person_activates_on_a_small_phone(
    browser, page: Page, live_server, grid_school, grid, school_admin
):
    record = services.import_trainees(
        good_file(), filename="名单.csv", actor=school_admin
    )
    code = encryption.decrypt(
        ActivationCode.objects.live().get(user__phone=PHONES[0]).code_encrypted
    )

    admin_log_in(page, live_server.url, school_admin.phone)
    page.goto(f"{live_server.url}/admin/trainees/import/{record.pk}/codes/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("激活码")
    expect(page.locator("table.listing tbody tr")).to_have_count(3)
    with page.context.expect_page() as slips_opened:
        page.get_by_role("link", name="打印激活单").click()
    slips = slips_opened.value
    expect(slips.locator(".slip")).to_have_count(3)
    expect(slips.locator(".slip").first).to_contain_text("账号激活单")

    phone = browser.new_context(viewport={"width": 320, "height": 640}, locale="zh-CN")
    trainee = phone.new_page()
    trainee.goto(live_server.url + "/accounts/login/")
    trainee.get_by_role("link", name="用激活码激活账号").click()
    expect(trainee.get_by_role("heading", level=1)).to_have_text("用激活码激活账号")
    assert trainee.evaluate("document.documentElement.scrollWidth") <= 320
    assert_no_serious_violations(trainee)
    trainee.get_by_label("手机号").fill(PHONES[0])
    trainee.get_by_label("激活码").fill(f"{code[:4].lower()}-{code[4:].lower()}")
    trainee.get_by_label(re.compile(r"^设置密码")).fill(PASSWORD)
    trainee.get_by_label("确认密码").fill(PASSWORD)
    for consent in trainee.locator("main input[type=checkbox]").all():
        consent.check()  # the personal-information consent, where asked
    trainee.get_by_role("button", name="激活并登录").click()

    expect(trainee.get_by_role("button", name="退出登录")).to_be_visible()
    assert User.objects.get(phone=PHONES[0]).check_password(PASSWORD)
    phone.close()
