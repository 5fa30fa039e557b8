"""The whole journey in a real browser (issue 16, acceptance 1), at desktop and at
phone size: a new resident signs up, enrols in the Volunteer Academy's basic
course, studies its lessons, books the practice session, is checked in by the
site host (who types the code of the resident's card), completes; the certificate
arrives on 我的证书 and its QR address says 有效 to anyone; the ladder makes the
resident a 志愿者; they log a service, a coordinator approves it, they redeem a
reward with the points and sign up for a community activity open to volunteers.

Each other person acts in their own browser context. axe-core finds no serious
or critical violation on any page visited, and nothing scrolls sideways."""

import re
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

import pytest
from playwright.sync_api import Browser, Page, expect

from certificates.models import Certificate
from courses import checkin
from courses.models import AttendanceRecord, Booking, Enrollment
from school.models import Level, User
from tests.e2e.conftest import DESKTOP_VIEWPORT, PHONE_VIEWPORT, TIMEOUT_MS
from tests.e2e.journey_steps import (
    ACTIVITY,
    COURSE,
    LESSONS,
    PRACTICE,
    REWARD,
    SERVICE_ITEM,
    Journey,
    flash,
    header_link,
    heading,
    looks_right,
    move_session,
    prepare_journey,
)
from tests.e2e.steps import log_in
from volunteers import ledger
from volunteers.models import Redemption, ServiceRecord

pytestmark = pytest.mark.e2e

VIEWPORTS = {"desktop": DESKTOP_VIEWPORT, "phone": PHONE_VIEWPORT}
PHONE = "13966660001"
NAME = "刘晓梅"
PASSWORD = "Grid-School-2026"


@pytest.fixture
def journey(settings, live_server, volunteer_academy, community, grid) -> Journey:
    settings.SITE_URL = live_server.url  # what a certificate's QR code encodes
    return prepare_journey(volunteer_academy, community)


def sign_up(page: Page, url: str, grid) -> User:
    """From the home page, through 注册, to 我的学习."""
    page.goto(url + "/")
    looks_right(page)
    header_link(page, "注册").click()
    expect(heading(page, "注册")).to_be_visible()
    looks_right(page)
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
    expect(flash(page, "注册成功，欢迎加入！")).to_be_visible()
    looks_right(page)
    return User.objects.get(phone=PHONE)


def enrol_and_study(page: Page, journey: Journey) -> None:
    """The academy from the header, its 基础通识班 tab, the course, 报名, and
    each lesson marked studied."""
    header_link(page, journey.academy.title).click()
    expect(heading(page, journey.academy.display_name)).to_be_visible()
    looks_right(page)
    page.get_by_role("navigation", name="按培训层级浏览").get_by_role(
        "link", name=re.compile("^基础通识班")
    ).click()
    cards = page.locator(".course-card")
    expect(cards).to_have_count(1)
    looks_right(page)
    cards.get_by_role("link", name=COURSE).click()
    expect(heading(page, COURSE)).to_be_visible()
    looks_right(page)
    page.get_by_role("button", name=re.compile("^报名")).click()
    expect(flash(page, re.compile("报名成功"))).to_be_visible()
    expect(page.locator(".my-enrollment")).to_contain_text("学习中")
    looks_right(page)

    page.get_by_role("link", name=re.compile("^开始学习")).click()
    for title in LESSONS:
        expect(heading(page, title)).to_be_visible()
        looks_right(page)
        page.get_by_role("button", name="标记为已学完").click()
    # Both lessons studied; the course still waits for the practice session.
    enrolment = page.locator(".my-enrollment")
    expect(enrolment.get_by_role("progressbar")).to_have_attribute(
        "aria-valuenow", "100"
    )
    expect(enrolment).to_contain_text("学习中")
    expect(enrolment).to_contain_text("还需出勤率 100%")
    looks_right(page)


def book_practice(page: Page, url: str) -> None:
    header_link(page, "我的学习").click()
    expect(heading(page, "我的学习")).to_be_visible()
    looks_right(page)
    page.get_by_role("link", name=re.compile("^实践场次预约")).click()
    expect(heading(page, "实践场次预约")).to_be_visible()
    looks_right(page)
    card = page.locator(".session-card").filter(has_text=PRACTICE)
    card.get_by_role("button", name=re.compile("^预约")).click()
    expect(flash(page, re.compile("^预约成功"))).to_be_visible()
    expect(card.locator(".status")).to_have_text("已预约")
    looks_right(page)


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_a_new_resident_signs_up_learns_serves_and_joins_in(
    screen: str,
    browser: Browser,
    live_server,
    grid,
    journey: Journey,
    artifacts_dir: Path,
):
    url = live_server.url
    viewports = {
        "resident": VIEWPORTS[screen],
        "host": PHONE_VIEWPORT,
        "coordinator": DESKTOP_VIEWPORT,
        "public": VIEWPORTS[screen],
    }
    contexts = {
        who: browser.new_context(viewport=size, locale="zh-CN")
        for who, size in viewports.items()
    }
    for context in contexts.values():
        context.set_default_timeout(TIMEOUT_MS)
    resident, host, coordinator, public = (
        context.new_page() for context in contexts.values()
    )

    def snap(name: str, page: Page | None = None) -> None:
        (page or resident).screenshot(
            path=artifacts_dir / f"whole-journey-{name}-{screen}.png", full_page=True
        )

    try:
        # 1. Sign up on the public page; 我的学习 greets the new resident.
        person = sign_up(resident, url, grid)
        assert person.level == Level.RESIDENT

        # 2. Enrol in the academy's basic course and study its lessons.
        enrol_and_study(resident, journey)
        snap("1-studied")

        # 3. Book the practice session from 我的学习.
        book_practice(resident, url)

        # 4. The session begins in five minutes: the resident shows their card,
        # the site host types its code on the session's scan page.
        move_session(journey.session, timezone.now() + timedelta(minutes=5))
        header_link(resident, "我的学习").click()
        resident.get_by_role("link", name="我的签到卡").click()
        expect(heading(resident, "我的签到卡")).to_be_visible()
        card_code = checkin.group_digits(checkin.card_code(person))
        expect(resident.get_by_text(card_code, exact=True)).to_be_visible()
        looks_right(resident)

        log_in(host, url, journey.site_host.phone)
        looks_right(host)
        host.goto(f"{url}/check-in/sessions/{journey.session.pk}/scan/")
        expect(heading(host, "扫码签到")).to_be_visible()
        looks_right(host)
        host.get_by_role("textbox", name="签到卡号").fill(card_code)
        host.get_by_role("button", name="签到", exact=True).click()
        expect(
            host.get_by_text(f"{NAME}（{person.masked_phone}）：出勤")
        ).to_be_visible()
        expect(host.get_by_test_id("attended")).to_have_text("1")
        looks_right(host)
        snap("2-checked-in", host)

        # 5. The mark completes the course (the queue runs synchronously in
        # tests): 已结业 on 我的学习, the certificate on 我的证书.
        header_link(resident, "我的学习").click()
        done = resident.locator(".learning-card", has_text=COURSE)
        expect(done).to_contain_text("已结业")
        looks_right(resident)
        certificate = Certificate.objects.get(holder=person)
        header_link(resident, "我的证书").click()
        expect(heading(resident, "我的证书")).to_be_visible()
        mine = resident.get_by_role("main").locator("li", has_text=certificate.number)
        expect(mine).to_contain_text(COURSE)
        looks_right(resident)
        snap("3-certificate")

        # 6. Anyone holding the QR code opens its address: 有效.
        assert certificate.verification_url.startswith(url + "/verify/")
        public.goto(certificate.verification_url)
        verified = public.get_by_role("main")
        expect(verified).to_contain_text("有效")
        expect(verified).to_contain_text(certificate.number)
        expect(verified).to_contain_text(COURSE)
        expect(verified).not_to_contain_text(NAME)  # masked for the public
        looks_right(public)

        # 7. The certificate carried the resident up the ladder: 志愿者.
        header_link(resident, "我的成长").click()
        expect(heading(resident, "我的成长")).to_be_visible()
        expect(resident.get_by_test_id("current-level")).to_contain_text("志愿者")
        looks_right(resident)

        # 8. A service logged on 我的服务, approved by the coordinator.
        header_link(resident, "我的服务").click()
        expect(heading(resident, "我的服务")).to_be_visible()
        expect(resident.get_by_test_id("balance")).to_have_text("0")
        looks_right(resident)
        resident.get_by_label("积分事项").select_option(
            label=f"{SERVICE_ITEM}（10 分/次）"
        )
        resident.get_by_label("服务时长（小时）").fill("2")
        resident.get_by_label("服务地点").fill("桃园社区 5 号楼")
        resident.get_by_label("服务内容").fill("陪独居老人就医，代取药品")
        resident.get_by_role("button", name="提交登记").click()
        expect(flash(resident, "服务已登记，等待协调员审核。")).to_be_visible()
        records = resident.get_by_role("region", name="我的服务记录")
        expect(records.locator(".status")).to_have_text("待审核")
        looks_right(resident)

        log_in(coordinator, url, journey.coordinator.phone)
        header_link(coordinator, "我的服务").click()
        expect(heading(coordinator, "我的服务")).to_be_visible()
        looks_right(coordinator)
        coordinator.get_by_role("link", name="待审核的服务记录").click()
        expect(coordinator.get_by_text("共 1 条待审核")).to_be_visible()
        looks_right(coordinator)
        coordinator.get_by_label(re.compile(f"{NAME} · {SERVICE_ITEM}")).check()
        coordinator.get_by_role("button", name="通过所选", exact=True).click()
        expect(flash(coordinator, "已通过 1 条记录。")).to_be_visible()
        looks_right(coordinator)

        resident.reload()
        expect(resident.get_by_test_id("balance")).to_have_text("10")
        expect(records.locator(".status")).to_have_text("已通过")
        looks_right(resident)

        # 9. A reward from 积分商城.
        header_link(resident, "积分商城").click()
        expect(heading(resident, "积分商城")).to_be_visible()
        looks_right(resident)
        resident.get_by_role("link", name=re.compile(f"^兑换.*{REWARD}")).click()
        expect(heading(resident, "确认兑换")).to_be_visible()
        looks_right(resident)
        resident.get_by_role("button", name="确认兑换").click()
        expect(flash(resident, re.compile("^兑换成功"))).to_be_visible()
        redemption = Redemption.objects.get(person=person)
        expect(resident.get_by_test_id("code")).to_have_text(
            f"{redemption.code[:5]} {redemption.code[5:]}"
        )
        looks_right(resident)
        snap("4-redeemed")

        # 10. 社区活动 in the header: the calendar, the activity, 报名.
        header_link(resident, "社区活动").click()
        expect(heading(resident, "社区活动日历")).to_be_visible()
        looks_right(resident)
        starts_on = timezone.localdate(journey.activity.sessions.get().starts_at)
        today = timezone.localdate()
        if starts_on - timedelta(days=starts_on.weekday()) > today - timedelta(
            days=today.weekday()
        ):
            resident.get_by_role("link", name="下一周 ›").click()
            expect(resident).to_have_url(re.compile(r"[?&]week="))
            looks_right(resident)
        resident.get_by_role("link", name=ACTIVITY).click()
        expect(heading(resident, ACTIVITY)).to_be_visible()
        looks_right(resident)
        resident.get_by_role("button", name="报名", exact=True).click()
        expect(flash(resident, re.compile(f"^报名成功：{ACTIVITY}"))).to_be_visible()
        expect(resident.locator(".session-card .status")).to_have_text("已报名")
        looks_right(resident)
        snap("5-signed-up")
    finally:
        for context in contexts.values():
            context.close()

    person.refresh_from_db()
    assert person.level == Level.VOLUNTEER
    enrollment = Enrollment.objects.get(trainee=person)
    assert enrollment.status == Enrollment.Status.COMPLETED
    record = AttendanceRecord.objects.get(trainee=person)
    assert (record.status, record.marked_by) == ("present", journey.site_host)
    assert certificate.enrollment == enrollment
    service = ServiceRecord.objects.get(volunteer=person)
    assert (service.status, service.decided_by) == ("approved", journey.coordinator)
    assert ledger.balance_of(person).balance == 2
    assert Booking.objects.get(
        trainee=person, session__activitysession__isnull=False
    ).status == (Booking.Status.CONFIRMED)
