"""The public notice in real Chromium at phone width: a visitor reads it (masked
name, no sideways scroll), is sent to log in to object, comes back to the notice,
lodges an objection with a reason and sees the promotion held; axe on each page."""

import re

from django.db import transaction

import pytest
from playwright.sync_api import Page, expect

from school.models import Level, User
from tests.e2e.axe import assert_no_serious_violations
from tests.factories import TEST_PASSWORD
from volunteers import promotions
from volunteers.models import Objection, Promotion

pytestmark = pytest.mark.e2e


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_visitor_logs_in_from_the_notice_and_objects_on_a_phone(
    phone_page: Page,
    live_server,
    trainee,
    other_trainee,
    school_admin,
):
    User.objects.filter(pk=trainee.pk).update(level=Level.TALENT)
    trainee.refresh_from_db()
    promotion = Promotion.objects.create(
        person=trainee,
        from_level=Level.TALENT,
        to_level=Level.MANAGER,
        status=Promotion.Status.PENDING_REVIEW,
        source=Promotion.Source.APPLICATION,
        reasons=["持有领导力提升班结业证书"],
    )
    with transaction.atomic():
        promotions.approve_promotion(promotion, actor=school_admin)
    page = phone_page

    page.goto(live_server.url + "/volunteer/promotions/notice/")
    expect(page.get_by_role("heading", name="晋级公示", level=1)).to_be_visible()
    card = page.locator(f"#promotion-{promotion.pk}")
    expect(card).to_contain_text("社区主理人")
    expect(card).to_contain_text("持有领导力提升班结业证书")
    expect(card).not_to_contain_text("张三")
    assert fits_the_screen(page)
    assert_no_serious_violations(page)

    card.get_by_role("link", name="登录后提出异议").click()
    page.get_by_label("手机号").fill(other_trainee.phone)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/volunteer/promotions/notice/$"))

    card = page.locator(f"#promotion-{promotion.pk}")
    card.get_by_text("提出异议", exact=True).click()
    card.get_by_label("异议理由").fill("该同志近三个月未参加社区服务")
    assert_no_serious_violations(page)
    card.get_by_role("button", name="提交异议").click()

    expect(page.get_by_text(re.compile("异议已提交"))).to_be_visible()
    card = page.locator(f"#promotion-{promotion.pk}")
    expect(card).to_contain_text("有异议，暂停公示")
    expect(card).to_contain_text("您已对该晋级提出异议")
    assert fits_the_screen(page)
    assert_no_serious_violations(page)
    promotion.refresh_from_db()
    assert promotion.status == Promotion.Status.ON_HOLD
    assert Objection.objects.get().objector == other_trainee
