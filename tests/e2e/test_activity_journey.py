"""The community-activity journey in one browser test (issue 15, acceptance 4): a
community manager proposes a 夜校 on their phone, the space's staff member approves
it, a resident finds it on the calendar and signs up on their phone; in the
session's check-in window the manager types the resident's card code on the scan
page; once the session has ended the resident sees it attended, and the credit
job grows the manager's service hours by the session's 2 hours. Each person in
their own browser context; axe, and no sideways scroll, on every page."""

import re
from datetime import datetime, time, timedelta
from pathlib import Path

from django.utils import timezone

import pytest
from playwright.sync_api import Locator, Page, expect

from courses import checkin
from courses.models import AttendanceRecord, BookableSession
from school.models import Level, User
from tests.e2e.axe import assert_no_serious_violations
from tests.e2e.conftest import DESKTOP_VIEWPORT, PHONE_VIEWPORT, TIMEOUT_MS
from tests.e2e.steps import log_in
from tests.factories import UserFactory
from volunteers import activities, ledger
from volunteers.models import (
    Activity,
    ActivitySession,
    CommunitySpace,
    OpeningHours,
    ServiceRecord,
)

pytestmark = pytest.mark.e2e

TITLE = "智能手机夜校"


def looks_right(page: Page) -> None:
    """No sideways scrolling and no serious accessibility violation on this page."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_serious_violations(page)


def header_link(page: Page, name: str) -> Locator:
    return page.get_by_role("navigation", name="主导航").get_by_role(
        "link", name=name, exact=True
    )


def stat(page: Page, label: str) -> Locator:
    """The figure under a `.stat`'s <dt>label</dt>."""
    return (
        page.locator(".stat")
        .filter(has=page.locator("dt", has_text=re.compile(f"^{re.escape(label)}$")))
        .locator("dd")
    )


def monday_of(day):
    return day - timedelta(days=day.weekday())


def move_session(session: ActivitySession, starts_at: datetime) -> None:
    """Shift the session (keeping its two hours) the way the check-in tests do."""
    BookableSession.objects.filter(pk=session.pk).update(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        booking_closes_at=starts_at - timedelta(hours=1),
    )


@pytest.fixture
def evening_space(community):
    """桃园社区 活动室 (30 seats, open 09:00–12:00 and 14:00–21:30 every day),
    lent by 吴干事."""
    staff = UserFactory(real_name="吴干事", org_unit=community)
    room = CommunitySpace.objects.create(
        community=community, name="活动室", address="桃园路 1 号二楼", capacity=30
    )
    room.staff.add(staff)
    for weekday in range(7):
        OpeningHours.objects.create(
            space=room, weekday=weekday, opens=time(9), closes=time(12)
        )
        OpeningHours.objects.create(
            space=room, weekday=weekday, opens=time(14), closes=time(21, 30)
        )
    return room


def test_a_manager_runs_a_night_school_a_resident_attends_and_the_hours_grow(
    browser, live_server, community, grid, evening_space, artifacts_dir: Path
):
    staff_member = evening_space.staff.get()
    organiser = UserFactory(real_name="郑主理", org_unit=grid)
    User.objects.filter(pk=organiser.pk).update(level=Level.MANAGER)
    person = UserFactory(real_name="王居民", org_unit=grid)
    # Wednesday of next week (3 to 9 days ahead): the calendar opens on this week.
    day = monday_of(timezone.localdate()) + timedelta(weeks=1, days=2)

    viewports = (PHONE_VIEWPORT, DESKTOP_VIEWPORT, PHONE_VIEWPORT)
    contexts = [
        browser.new_context(viewport=size, locale="zh-CN") for size in viewports
    ]
    for context in contexts:
        context.set_default_timeout(TIMEOUT_MS)
    manager, staff, resident = (context.new_page() for context in contexts)
    url = live_server.url
    try:
        # 1. The manager proposes a night school from 我的活动 on their phone.
        log_in(manager, url, organiser.phone)
        looks_right(manager)  # 我的学习, where logging in lands
        header_link(manager, "我的活动").click()
        expect(manager.get_by_role("heading", name="我的活动", level=1)).to_be_visible()
        looks_right(manager)
        manager.get_by_role("link", name="发起活动").click()
        expect(
            manager.get_by_role("heading", name="发起社区活动", level=1)
        ).to_be_visible()
        looks_right(manager)
        manager.get_by_label("活动名称").fill(TITLE)
        manager.get_by_label("活动类型").select_option(label="夜校")
        manager.get_by_label("活动介绍").fill("教老人用手机挂号、缴费、视频通话。")
        manager.get_by_label("社区空间").select_option(label="活动室（容纳 30 人）")
        manager.get_by_label("名额").fill("20")
        manager.get_by_label("日期").fill(day.isoformat())
        manager.get_by_label("开始时间").fill("19:00")
        manager.get_by_label("结束时间").fill("21:00")
        manager.get_by_label("所有居民").check()
        manager.get_by_label("申请社区工作人员授权").check()
        manager.get_by_role("button", name="提交申请").click()
        expect(
            manager.get_by_text(
                "活动申请已提交，请等待社区工作人员审批；审批结果会显示在这里。"
            )
        ).to_be_visible()
        expect(manager.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
        expect(manager.locator(".page-header .status")).to_have_text("待审批")
        looks_right(manager)
        manager.screenshot(
            path=artifacts_dir / "activity-1-proposed-phone.png", full_page=True
        )
        proposed = Activity.objects.get()
        assert (proposed.status, proposed.organiser) == ("pending", organiser)
        assert (proposed.seats, proposed.audience, proposed.basis) == (
            20,
            "everyone",
            "grant",
        )

        # 2. The space's staff member approves it from 我的活动 → 活动审批.
        log_in(staff, url, staff_member.phone)
        looks_right(staff)  # 我的学习, where logging in lands
        header_link(staff, "我的活动").click()
        looks_right(staff)
        staff.get_by_role("link", name="活动审批").click()
        expect(staff.get_by_role("heading", name="活动审批", level=1)).to_be_visible()
        expect(staff.get_by_role("heading", name="待审批（1）")).to_be_visible()
        card = staff.get_by_role("listitem").filter(
            has=staff.get_by_role("heading", name=TITLE)
        )
        expect(card).to_contain_text("发起人 郑主理")
        expect(card).to_contain_text("各场次均在开放时间内，且没有时间冲突。")
        looks_right(staff)
        card.get_by_role("button", name="通过", exact=True).click()
        expect(
            staff.get_by_text(f"已通过“{TITLE}”，居民现在可以报名。")
        ).to_be_visible()
        expect(staff.get_by_text("没有待审批的活动。", exact=False)).to_be_visible()
        decided = staff.get_by_role("row").filter(has_text=TITLE)
        expect(decided.get_by_role("cell").nth(1)).to_have_text("已通过")
        expect(decided.get_by_role("cell").nth(2)).to_have_text("吴干事")
        looks_right(staff)

        # 3. A resident finds it on the calendar and signs up on their phone.
        log_in(resident, url, person.phone)
        looks_right(resident)  # 我的学习, where logging in lands
        header_link(resident, "社区活动").click()
        expect(
            resident.get_by_role("heading", name="社区活动日历", level=1)
        ).to_be_visible()
        looks_right(resident)
        expect(resident.get_by_role("link", name=TITLE)).to_have_count(0)
        resident.get_by_role("link", name="下一周 ›").click()
        # Listed on its day (MONTH_DAY_FORMAT "m月j日" and the weekday).
        on_the_day = resident.get_by_role("listitem").filter(
            has=resident.get_by_role("heading", name=f"{day:%m}月{day.day}日 星期三")
        )
        expect(on_the_day.get_by_text("19:00–21:00")).to_be_visible()
        looks_right(resident)
        on_the_day.get_by_role("link", name=TITLE).click()
        expect(resident.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
        looks_right(resident)
        resident.get_by_role("button", name="报名", exact=True).click()
        expect(resident.get_by_text(re.compile(f"^报名成功：{TITLE}"))).to_be_visible()
        session_card = resident.locator(".session-card")
        expect(session_card.locator(".status")).to_have_text("已报名")
        looks_right(resident)
        header_link(resident, "我的活动").click()
        upcoming = resident.get_by_role("region", name="即将参加")
        booked = upcoming.get_by_role("listitem").filter(has_text=TITLE)
        expect(booked.locator(".status")).to_have_text("已报名")
        looks_right(resident)
        resident.screenshot(
            path=artifacts_dir / "activity-2-signed-up-phone.png", full_page=True
        )

        # 4. The session is about to begin: the manager opens its scan page from
        # 我发起的活动 and types the resident's card code.
        session = ActivitySession.objects.get(activity=proposed)
        move_session(session, timezone.now() + timedelta(minutes=5))
        header_link(manager, "我的活动").click()
        manager.get_by_role("link", name="我发起的活动").click()
        expect(
            manager.get_by_role("heading", name="我发起的活动", level=1)
        ).to_be_visible()
        mine = manager.get_by_role("listitem").filter(
            has=manager.get_by_role("heading", name=TITLE)
        )
        expect(mine.locator(".status").first).to_have_text("已通过")
        expect(mine).to_contain_text("已报名 1 / 20 人 · 候补 0 人")
        looks_right(manager)
        mine.get_by_role("link", name="扫码签到").click()
        expect(manager.get_by_role("heading", name="扫码签到", level=1)).to_be_visible()
        expect(manager.get_by_test_id("attended")).to_have_text("0")
        looks_right(manager)
        manager.get_by_role("textbox", name="签到卡号").fill(
            checkin.group_digits(checkin.card_code(person))
        )
        manager.get_by_role("button", name="签到", exact=True).click()
        expect(
            manager.get_by_text(f"王居民（{person.masked_phone}）：出勤")
        ).to_be_visible()
        expect(manager.get_by_test_id("attended")).to_have_text("1")
        looks_right(manager)
        manager.screenshot(
            path=artifacts_dir / "activity-3-checked-in-phone.png", full_page=True
        )

        # 5. The session has ended: the resident sees it attended; the manager's
        # hours stand still until the credit job runs, then grow by 2.
        move_session(session, timezone.now() - timedelta(hours=3))
        resident.reload()
        past = resident.get_by_role("region", name="参加过的活动")
        attended = past.get_by_role("listitem").filter(has_text=TITLE)
        expect(attended.locator(".status")).to_have_text("已参加")
        expect(
            attended.get_by_role("link", name=re.compile("^评价本场活动"))
        ).to_be_visible()
        looks_right(resident)

        header_link(manager, "我的服务").click()
        expect(manager.get_by_role("heading", name="我的服务", level=1)).to_be_visible()
        hours = stat(manager, "累计服务时长（小时）")
        expect(hours).to_have_text("0")
        looks_right(manager)
        assert activities.credit_activity_hours() == 1
        manager.reload()
        expect(hours).to_have_text("2.0")
        records = manager.get_by_role("region", name="我的服务记录")
        credited = records.get_by_role("listitem").filter(has_text="社区活动组织")
        expect(credited.locator(".status")).to_have_text("已通过")
        session.refresh_from_db()
        served_on = timezone.localdate(session.starts_at).isoformat()
        expect(credited.locator(".service-record__meta").first).to_have_text(
            f"{served_on} · 桃园社区 · 活动室 · 2.0 小时"
        )
        expect(credited).to_contain_text("计入 20 积分")
        looks_right(manager)
        manager.screenshot(
            path=artifacts_dir / "activity-4-hours-phone.png", full_page=True
        )
    finally:
        for context in contexts:
            context.close()

    record = AttendanceRecord.objects.get(trainee=person)
    assert (record.status, record.marked_by) == ("present", organiser)
    service = ServiceRecord.objects.get(volunteer=organiser)
    assert (service.status, service.source_session_id) == ("approved", session.pk)
    assert ledger.balance_of(organiser).hours == 2
