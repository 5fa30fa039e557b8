"""主理人招募 in a real browser: an administrator opens a round with two places in
the admin; two community talents have applied and a third applies on her phone;
the administrator weighs the three side by side, shortlists one and selects two,
the round shows 2 / 2 and no more 入选 buttons; the two selected are in public
notice, listed with masked names on the public notice page."""

import re
from datetime import timedelta
from pathlib import Path

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

import pytest
from playwright.sync_api import Page, expect

from certificates.views import mask_name
from tests.e2e.axe import assert_no_serious_violations
from tests.e2e.steps import admin_log_in, log_in
from tests.volunteers.test_recruitment_support import *  # noqa: F403 (fixtures)
from volunteers import recruitment
from volunteers.models import Promotion, RecruitmentRound

pytestmark = pytest.mark.e2e

ROUND_TITLE = "第二批社区主理人招募"


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_an_administrator_runs_a_recruitment_round_to_public_notice(
    page: Page,
    phone_page: Page,
    live_server,
    school_admin,
    make_talent,
    artifacts_dir: Path,
):
    first, second, third = (make_talent(n) for n in ("赵一明", "钱二芳", "孙三强"))
    now = timezone.now()

    # The administrator opens the round in the admin.
    admin_log_in(page, live_server.url, school_admin.phone)
    page.goto(live_server.url + reverse("recruitment_admin:index"))
    page.get_by_role("link", name="新建招募批次").click()
    page.get_by_label("批次名称").fill(ROUND_TITLE)
    page.get_by_label("名额").fill("2")
    page.get_by_label("报名开始").fill(local_input(now - timedelta(hours=1)))
    page.get_by_label("报名截止").fill(local_input(now + timedelta(days=14)))
    page.get_by_label("说明").fill("面向社区能人，择优选拔两名社区主理人。")
    assert_no_serious_violations(page)
    page.get_by_role("button", name="创建批次").click()
    expect(page.get_by_text("已选 0 / 名额 2")).to_be_visible()
    recruitment_round = RecruitmentRound.objects.get(title=ROUND_TITLE)

    # Two applied already; the third applies on her phone.
    for person in (first, second):
        recruitment.apply_to_round(
            recruitment_round, person=person, statement=f"{person.real_name}的申请说明"
        )
    log_in(phone_page, live_server.url, third.phone)
    phone_page.goto(live_server.url + reverse("recruitment:rounds"))
    expect(phone_page.get_by_role("heading", name=ROUND_TITLE)).to_be_visible()
    assert_no_serious_violations(phone_page)
    phone_page.get_by_role("link", name="我要报名").click()
    phone_page.get_by_label("申请说明").fill("我组织社区夜校三年，希望带动更多邻里。")
    assert fits_the_screen(phone_page)
    assert_no_serious_violations(phone_page)
    phone_page.get_by_role("button", name="提交报名").click()
    expect(phone_page.get_by_text("报名成功，请留意评审结果。")).to_be_visible()
    expect(phone_page.locator("#application-status")).to_have_text("已报名")
    assert fits_the_screen(phone_page)
    phone_page.screenshot(path=artifacts_dir / "recruitment-applied-phone.png")

    # The administrator weighs them side by side, shortlists and selects two.
    page.reload()
    applicants = page.get_by_role("table")
    for person in (first, second, third):
        expect(
            applicants.get_by_role("rowheader", name=person.real_name)
        ).to_be_visible()
    expect(applicants.get_by_text("社区领导力（领导力提升班）")).to_have_count(3)
    assert_no_serious_violations(page)
    page.get_by_role("button", name="赵一明 入围").click()
    expect(page.locator("tbody tr", has_text="赵一明")).to_contain_text("入围")
    page.get_by_role("button", name="赵一明 入选").click()
    expect(page.get_by_text("已选 1 / 名额 2")).to_be_visible()
    page.get_by_role("button", name="孙三强 入选").click()
    expect(page.get_by_text("已选 2 / 名额 2")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("入选$"))).to_have_count(0)
    assert_no_serious_violations(page)
    page.screenshot(path=artifacts_dir / "recruitment-side-by-side.png", full_page=True)

    selected = Promotion.objects.filter(
        recruitment_round=recruitment_round, status=Promotion.Status.IN_NOTICE
    )
    assert sorted(selected.values_list("person__real_name", flat=True)) == [
        "孙三强",
        "赵一明",
    ]

    # The public notice lists the two selected, names masked, for anyone.
    try:
        notice_url = reverse("promotions:notice")
    except NoReverseMatch:
        pytest.fail("the public notice page (promotions:notice) is not wired yet")
    visitor = page.context.browser.new_context(locale="zh-CN")
    try:
        notice = visitor.new_page()
        notice.goto(live_server.url + notice_url)
        for name in ("赵一明", "孙三强"):
            expect(notice.get_by_text(mask_name(name)).first).to_be_visible()
        expect(notice.get_by_text(mask_name("钱二芳"))).to_have_count(0)
        expect(notice.get_by_text("赵一明")).to_have_count(0)
        assert_no_serious_violations(notice)
        notice.screenshot(path=artifacts_dir / "recruitment-notice.png", full_page=True)
    finally:
        visitor.close()
