"""点名 in a real browser at phone width: the instructor opens the session's roster,
sets everyone present with 全部出勤 (by keyboard), marks the exceptions (one 迟到,
one 缺勤), saves and sees the summary; then the late trainee finds the mark and
the rate on 我的学习."""

import re
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

import pytest
from playwright.sync_api import Page, expect

from courses.models import AttendanceRecord
from tests.courses.factories import ClassSessionFactory
from tests.courses.test_attendance import book_all
from tests.e2e.axe import assert_no_serious_violations
from tests.e2e.conftest import PHONE_VIEWPORT, TIMEOUT_MS
from tests.e2e.steps import log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

Status = AttendanceRecord.Status


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_instructor_marks_the_exceptions_and_the_trainee_sees_the_mark(
    browser,
    live_server,
    grid_school,
    training_class,
    practice_site,
    instructor,
    trainee,
    other_trainee,
    artifacts_dir: Path,
):
    starts = timezone.now() - timedelta(hours=3)
    session = ClassSessionFactory(
        training_class=training_class,
        practice_site=practice_site,
        title="入户走访实操",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        booking_closes_at=starts - timedelta(hours=1),
    )
    session.instructors.add(instructor)
    third = UserFactory(real_name="王五")
    people = [trainee, other_trainee, third]
    for person in people:
        training_class.enrollments.create(trainee=person, status="active")
    book_all(session, people)
    # 王五 was first marked absent by a scan; 全部出勤 puts the row back to 出勤.
    AttendanceRecord.objects.create(
        session_id=session.pk,
        booking=session.bookings.get(trainee=third),
        trainee=third,
        status=Status.ABSENT,
        credit=0,
        method="scan",
    )

    contexts = [
        browser.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN") for _ in range(2)
    ]
    for context in contexts:
        context.set_default_timeout(TIMEOUT_MS)
    teacher, student = (context.new_page() for context in contexts)
    try:
        log_in(teacher, live_server.url, instructor.phone)
        teacher.goto(live_server.url + f"/sites/sessions/{session.pk}/")
        teacher.get_by_role("link", name="点名（记录出勤）").click()
        expect(teacher.get_by_role("heading", level=1)).to_contain_text("点名")
        assert fits_the_screen(teacher)
        assert_no_serious_violations(teacher)

        row = {
            person.real_name: teacher.get_by_role(
                "group", name=re.compile(person.real_name)
            )
            for person in people
        }
        expect(row["王五"].get_by_label("缺勤")).to_be_checked()
        expect(row["张三"].get_by_label("出勤", exact=True)).to_be_checked()

        all_present = teacher.get_by_role("button", name="全部出勤")
        all_present.focus()
        teacher.keyboard.press("Enter")
        expect(row["王五"].get_by_label("出勤", exact=True)).to_be_checked()
        expect(teacher.get_by_role("status").last).to_have_text(
            "已全部设为出勤，尚未保存。"
        )
        assert not AttendanceRecord.objects.exclude(status=Status.ABSENT).exists()

        row["张三"].get_by_label("迟到").check()
        # By keyboard: the radio group moves with the arrow keys.
        row["李四"].get_by_label("出勤", exact=True).focus()
        teacher.keyboard.press("ArrowRight")
        teacher.keyboard.press("ArrowRight")
        teacher.keyboard.press("ArrowRight")
        expect(row["李四"].get_by_label("缺勤")).to_be_checked()
        teacher.get_by_label(re.compile("^修改原因")).fill("现场核对后更正")
        teacher.get_by_role("button", name="保存出勤").click()

        expect(
            teacher.get_by_text("出勤已保存：新记录 2 人，修改 1 人。")
        ).to_be_visible()
        summary = teacher.get_by_role("region", name="出勤统计")
        for label, value in [
            ("出勤", "1"),
            ("迟到", "1"),
            ("请假", "0"),
            ("缺勤", "1"),
            ("出勤率", "50%"),
        ]:
            expect(
                summary.locator(".stat")
                .filter(has=teacher.locator("dt", has_text=re.compile(f"^{label}$")))
                .locator("dd")
            ).to_have_text(value)
        assert fits_the_screen(teacher)
        assert_no_serious_violations(teacher)
        teacher.screenshot(
            path=artifacts_dir / "roster-saved-phone.png", full_page=True
        )

        teacher.get_by_role("link", name="查看修改记录").click()
        expect(teacher.get_by_text("缺勤 → 出勤")).to_be_visible()
        expect(teacher.get_by_text(re.compile("现场核对后更正")).first).to_be_visible()
        assert_no_serious_violations(teacher)

        # The late trainee sees the mark and the rate on 我的学习.
        log_in(student, live_server.url, trainee.phone)
        mine = student.get_by_role("region", name="我的出勤")
        expect(mine).to_contain_text("出勤率 50%（出勤 0 · 迟到 1 · 请假 0 · 缺勤 0）")
        expect(mine.locator(".status")).to_have_text("迟到")
        assert fits_the_screen(student)
        assert_no_serious_violations(student)
        student.screenshot(
            path=artifacts_dir / "roster-trainee-dashboard-phone.png", full_page=True
        )
    finally:
        for context in contexts:
            context.close()

    assert dict(
        AttendanceRecord.objects.values_list("trainee__real_name", "status")
    ) == {"张三": Status.LATE, "李四": Status.ABSENT, "王五": Status.PRESENT}
