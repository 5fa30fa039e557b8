"""A trainee fails a quiz at phone width, runs out of attempts and is told whom to
ask; an administrator grants one more with a reason; the trainee passes and the
quiz closes — in a real browser."""

import re
from pathlib import Path

from django.urls import reverse

import pytest
from playwright.sync_api import Page, expect

from courses import services
from courses.models import QuizAttemptGrant
from tests.courses.factories import (
    CourseIndexPageFactory,
    CoursePageFactory,
    LessonPageFactory,
    TrainingClassFactory,
    quiz_body,
)
from tests.e2e.axe import assert_no_serious_violations
from tests.e2e.steps import admin_log_in, log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def quiz_class(grid_school, trainee, instructor):
    """A one-lesson course whose quiz allows one attempt, taught by 李讲师, with
    张三 enrolled."""
    index = CourseIndexPageFactory(parent=grid_school, title="课程", slug="courses")
    course = CoursePageFactory(parent=index, title="公益理念", slug="gong-yi")
    LessonPageFactory(
        parent=course, title="服务礼仪", slug="l1", body=quiz_body(max_attempts=1)
    )
    training_class = TrainingClassFactory(course=course)
    training_class.instructors.add(instructor)
    services.enroll_trainee(training_class, trainee=trainee, actor=trainee)
    return training_class


def answer(page: Page, *, right: bool) -> None:
    quiz = page.locator("#quiz")
    first = quiz.get_by_role("group", name=re.compile("志愿服务的基本原则包括"))
    first.get_by_label("自愿、无偿" if right else "强制、有偿").check()
    second = quiz.get_by_role("group", name=re.compile("服务居民时应当做到"))
    second.get_by_label("耐心倾听").check()
    if right:
        second.get_by_label("尊重隐私").check()
    quiz.get_by_role("button", name="提交答卷").click()


@pytest.mark.parametrize("trainee_width", [390, 1280])
def test_a_trainee_out_of_attempts_is_granted_one_by_an_administrator_and_passes(
    trainee_width,
    browser,
    page: Page,
    live_server,
    trainee,
    school_admin,
    quiz_class,
    artifacts_dir: Path,
):
    trainee_screen = browser.new_context(
        viewport={"width": trainee_width, "height": 844}, locale="zh-CN"
    )
    trainee_screen.set_default_timeout(10_000)
    phone_page = trainee_screen.new_page()  # the trainee's screen, phone or desktop
    lesson_url = live_server.url + "/courses/gong-yi/l1/"
    log_in(phone_page, live_server.url, trainee.phone)
    phone_page.goto(lesson_url)
    expect(phone_page.get_by_role("button", name="标记为已学完")).to_have_count(0)

    # Submitted with questions unanswered: said by the quiz, focused, no attempt used.
    phone_page.locator("#quiz").get_by_role("button", name="提交答卷").click()
    unanswered = phone_page.locator("[data-error-summary]")
    expect(unanswered).to_contain_text("还有题目没有作答")
    expect(unanswered).to_be_focused()

    # A failed attempt: shown as failed, by the quiz, with feedback, focused.
    answer(phone_page, right=False)
    result = phone_page.locator("#quiz-result")
    expect(result).to_have_attribute("role", "alert")
    expect(result).to_contain_text("第 1 次作答：0 分，未通过（及格分 60 分）。")
    expect(result).to_be_focused()
    expect(phone_page.locator(".messages")).to_have_count(0)  # no green banner
    expect(phone_page.locator(".quiz__feedback")).to_contain_text("答错")
    # Out of attempts: no form, and whom to ask.
    expect(phone_page.get_by_role("button", name="提交答卷")).to_have_count(0)
    expect(phone_page.locator("#quiz-used-up")).to_contain_text(
        "请联系本班讲师 李讲师 或学校管理员"
    )
    phone_page.screenshot(
        path=artifacts_dir / f"quiz-used-up-{trainee_width}.png", full_page=True
    )
    width = phone_page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= phone_page.viewport_size["width"]
    assert_no_serious_violations(phone_page)

    # The administrator grants one more attempt, saying why.
    admin_log_in(page, live_server.url, school_admin.phone)
    page.goto(
        live_server.url + reverse("training_classes:quiz_results", args=[quiz_class.pk])
    )
    row = page.get_by_role("row", name=re.compile("张三"))
    expect(row).to_contain_text("次数已用完")
    row.get_by_label("原因").fill("作答时手机断网")
    row.get_by_role("button", name="为 张三 增加作答次数").click()
    expect(
        page.get_by_text("已为 张三 增加《服务礼仪》测验 1 次作答机会。")
    ).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("张三"))).to_contain_text(
        "作答时手机断网"
    )
    grant = QuizAttemptGrant.objects.get()
    assert (grant.actor, grant.reason) == (school_admin, "作答时手机断网")

    # The trainee tries again, passes, and the quiz closes.
    phone_page.goto(lesson_url)
    expect(phone_page.locator("#quiz")).to_contain_text("还剩 1 次")
    answer(phone_page, right=True)
    result = phone_page.locator("#quiz-result")
    expect(result).to_contain_text("第 2 次作答：100 分，已通过。")
    expect(result).to_be_focused()
    expect(phone_page.locator("#quiz")).to_contain_text("您已通过本测验，测验已关闭。")
    expect(phone_page.get_by_role("button", name="提交答卷")).to_have_count(0)
    phone_page.screenshot(path=artifacts_dir / "quiz-passed-390.png", full_page=True)
    assert_no_serious_violations(phone_page)
    phone_page.get_by_role("button", name="标记为已学完").click()
    expect(phone_page.locator(".messages")).to_contain_text("已结业")
