"""我的成长 on a phone: a resident finishes the last lesson of a basic course, the
certificate arrives on 我的证书 (issued by the worker on completion), the ladder
promotes them to 志愿者 on that certificate, and 我的成长 shows 志愿者 and what
the next step still needs — in a real browser at phone width."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from certificates.models import Certificate
from courses.models import Enrollment, Tier
from school.models import Level
from tests.certificates.factories import CertificateTemplateFactory
from tests.courses.factories import (
    CourseIndexPageFactory,
    CoursePageFactory,
    LessonPageFactory,
    TrainingClassFactory,
)
from tests.e2e.axe import assert_no_serious_violations
from tests.e2e.steps import log_in
from volunteers.models import LevelEvent

pytestmark = pytest.mark.e2e


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= page.viewport_size["width"]


def test_a_resident_completes_a_basic_course_and_grows_into_a_volunteer(
    phone_page: Page, live_server, grid_school, trainee, artifacts_dir: Path
):
    page = phone_page
    index = CourseIndexPageFactory(parent=grid_school, title="课程", slug="courses")
    course = CoursePageFactory(
        parent=index, title="公益理念", slug="gong-yi", tier=Tier.BASIC
    )
    LessonPageFactory(parent=course, title="第一课 志愿服务是什么", slug="l1")
    CoursePageFactory(
        parent=index,
        title="社区议事",
        slug="yi-shi",
        tier=Tier.SPECIALIST,
        minimum_level=Level.TALENT,
    )
    training_class = TrainingClassFactory(course=course, number=3)
    Enrollment.objects.create(
        training_class=training_class, trainee=trainee, status=Enrollment.Status.ACTIVE
    )
    CertificateTemplateFactory(school=grid_school, name="网格学校结业证书")
    assert trainee.level == Level.RESIDENT

    log_in(page, live_server.url, trainee.phone)

    # Before: a resident, told that the next step needs a basic course.
    page.goto(live_server.url + "/volunteer/growth/")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的成长")
    expect(page.get_by_test_id("current-level")).to_contain_text("居民")
    expect(page.get_by_test_id("next-step-needs")).to_contain_text("需完成基础通识班")

    # The last (only) lesson completes the enrolment.
    page.goto(live_server.url + "/courses/gong-yi/l1/")
    page.get_by_role("button", name="标记为已学完").click()
    expect(page.locator(".messages")).to_contain_text("已结业")

    # The certificate arrives on 我的证书.
    page.goto(live_server.url + "/certificates/")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的证书")
    number = Certificate.objects.get(holder=trainee).number
    expect(page.get_by_role("main")).to_contain_text(number)
    expect(page.get_by_role("main")).to_contain_text("公益理念")

    # 我的成长: 志愿者 now, and what 社区能人 still needs.
    page.goto(live_server.url + "/volunteer/growth/")
    expect(page.get_by_test_id("current-level")).to_contain_text("志愿者")
    expect(page.locator("[aria-current=step]")).to_contain_text("志愿者")
    needs = page.get_by_test_id("next-step-needs")
    expect(needs).to_contain_text("还差 20 小时服务")
    expect(needs).to_contain_text("需完成专项技能班")
    main = page.get_by_role("main")
    expect(main).to_contain_text(number)
    expect(main).to_contain_text("基础通识班")
    expect(main).to_contain_text("社区议事")
    expect(main).to_contain_text("达到社区能人后可报名")
    page.screenshot(path=artifacts_dir / "growth-390x844.png", full_page=True)
    no_sideways_scroll(page)
    assert_no_serious_violations(page)

    trainee.refresh_from_db()
    assert trainee.level == Level.VOLUNTEER
    assert LevelEvent.objects.filter(
        person=trainee, from_level=Level.RESIDENT, to_level=Level.VOLUNTEER
    ).exists()

    # 我的服务 links here.
    page.goto(live_server.url + "/volunteer/service/")
    page.get_by_role("link", name="我的成长").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的成长")
