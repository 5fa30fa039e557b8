"""A trainee finds a course in the catalogue, enrols, studies two lessons, passes
the quiz and sees the course completed on 我的学习 — in a real browser."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from courses.models import Enrollment, Tier
from tests.courses.factories import (
    CourseIndexPageFactory,
    CoursePageFactory,
    LessonPageFactory,
    TrainingClassFactory,
    quiz_body,
)
from tests.e2e.axe import assert_no_serious_violations
from tests.e2e.steps import log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def catalogue(grid_school):
    """A catalogue with the course to find and one not to."""
    index = CourseIndexPageFactory(parent=grid_school, title="课程", slug="courses")
    course = CoursePageFactory(
        parent=index,
        title="公益理念",
        slug="gong-yi",
        summary="志愿服务的基本理念。",
        objectives="",
    )
    LessonPageFactory(parent=course, title="第一课 志愿服务是什么", slug="l1")
    LessonPageFactory(
        parent=course, title="第二课 服务礼仪", slug="l2", body=quiz_body()
    )
    TrainingClassFactory(course=course, number=3)
    other = CoursePageFactory(
        parent=index,
        title="应急处置",
        slug="ying-ji",
        tier=Tier.SPECIALIST,
        summary="火灾与防汛。",
        objectives="",
    )
    TrainingClassFactory(course=other)
    return course


def test_a_trainee_finds_a_course_enrols_studies_and_completes_it(
    page: Page, live_server, trainee, catalogue, artifacts_dir: Path
):
    log_in(page, live_server.url, trainee.phone)

    # Find the course: the tier tab, then a search inside it.
    page.goto(live_server.url + "/courses/")
    cards = page.locator(".course-card")
    expect(cards).to_have_count(2)
    page.get_by_role("navigation", name="培训层级").get_by_role(
        "link", name="基础通识班"
    ).click()
    expect(cards).to_have_count(1)
    page.get_by_label("搜索课程").fill("理念")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"tier=basic"))
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("可报名")
    page.screenshot(path=artifacts_dir / "catalogue.png", full_page=True)
    assert_no_serious_violations(page)
    cards.first.get_by_role("link", name="公益理念").click()

    # Enrol.
    expect(page.get_by_role("heading", level=1)).to_have_text("公益理念")
    page.get_by_role("button", name=re.compile(r"^报名")).click()
    expect(page.locator(".messages")).to_contain_text("报名成功")
    expect(page.locator(".my-enrollment")).to_contain_text("学习中")
    page.screenshot(path=artifacts_dir / "course.png", full_page=True)
    assert_no_serious_violations(page)

    # Two lessons.
    page.get_by_role("link", name=re.compile(r"^开始学习")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("第一课 志愿服务是什么")
    page.get_by_role("button", name="标记为已学完").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("第二课 服务礼仪")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "50")
    # A lesson with a quiz is ticked only once its quiz is passed.
    expect(page.get_by_role("button", name="标记为已学完")).to_have_count(0)
    expect(page.locator(".lesson-actions")).to_contain_text("通过本课时的测验后")

    # The quiz: no answer is in the page before submission.
    assert "correct" not in page.content().lower()
    quiz = page.locator("#quiz")
    expect(quiz).to_contain_text("还剩 2 次")
    quiz.get_by_role("group", name=re.compile("志愿服务的基本原则包括")).get_by_label(
        "自愿、无偿"
    ).check()
    second = quiz.get_by_role("group", name=re.compile("服务居民时应当做到"))
    second.get_by_label("耐心倾听").check()
    second.get_by_label("尊重隐私").check()
    page.screenshot(path=artifacts_dir / "lesson-quiz.png", full_page=True)
    assert_no_serious_violations(page)
    quiz.get_by_role("button", name="提交答卷").click()
    expect(page.locator("#quiz-result")).to_contain_text(
        "第 1 次作答：100 分，已通过。"
    )
    expect(page.locator("#quiz-result")).to_be_focused()
    expect(page.locator("#quiz")).to_contain_text("最高分：100 分")
    page.get_by_role("button", name="标记为已学完").click()
    expect(page.locator(".messages")).to_contain_text("已结业")

    # 我的学习.
    page.get_by_role("navigation", name="主导航").get_by_role(
        "link", name="我的学习"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的学习")
    done = page.locator(".learning-card", has_text="公益理念")
    expect(done).to_contain_text("已结业")
    expect(done.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(done).to_contain_text("100%")
    page.screenshot(path=artifacts_dir / "my-learning.png", full_page=True)
    assert_no_serious_violations(page)

    enrollment = Enrollment.objects.get(trainee=trainee)
    assert enrollment.status == Enrollment.Status.COMPLETED


@pytest.mark.parametrize("path", ["/courses/", "/courses/gong-yi/"])
def test_the_catalogue_and_a_course_fit_a_phone_screen(
    phone_page: Page, live_server, catalogue, path: str, artifacts_dir: Path
):
    phone_page.goto(live_server.url + path)
    expect(phone_page.get_by_role("heading", level=1)).to_be_visible()
    name = path.strip("/").replace("/", "-")
    phone_page.screenshot(path=artifacts_dir / f"{name}-390x844.png", full_page=True)
    scroll_width = phone_page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= phone_page.viewport_size["width"]
    assert_no_serious_violations(phone_page)
