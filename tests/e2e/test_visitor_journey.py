"""A visitor on a phone finds the courses from a school's home page, signs up
choosing 街道 › 社区 › 网格 with the keyboard alone, accepts the 个人信息保护说明 and
lands on 我的学习 — at 390 and at 320 px, with nothing scrolling sideways."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from school.models import OrgUnit, User
from tests.courses.factories import CourseIndexPageFactory, CoursePageFactory
from tests.e2e.axe import assert_no_serious_violations
from tests.factories import OrgUnitFactory

pytestmark = pytest.mark.e2e

PHONE = "13912340000"
PASSWORD = "Grid-School-2026"


def assert_fits(page: Page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} is {width}px wide on a {viewport}px phone"


@pytest.fixture
def east_lake_grid(grid):
    """东湖街道 › 东湖社区 with its own 第1网格 and 第2网格, beside 测试街道 › 桃园社区 ›
    第1网格: the grid names alone do not tell the units apart."""
    district = grid.get_ancestors()[0]
    street = OrgUnitFactory(parent=district, name="东湖街道", kind=OrgUnit.Kind.STREET)
    community = OrgUnitFactory(
        parent=street, name="东湖社区", kind=OrgUnit.Kind.COMMUNITY
    )
    OrgUnitFactory(parent=community, name="第1网格", kind=OrgUnit.Kind.GRID)
    return OrgUnitFactory(parent=community, name="第2网格", kind=OrgUnit.Kind.GRID)


@pytest.mark.parametrize("width", [1280, 390, 320])
def test_a_visitor_finds_the_courses_signs_up_by_keyboard_and_lands_on_my_learning(
    browser: Browser, live_server, grid_school, east_lake_grid, width, artifacts_dir
):
    index = CourseIndexPageFactory(parent=grid_school, title="课程", slug="courses")
    CoursePageFactory(parent=index, title="公益理念", slug="gong-yi", is_featured=True)
    context = browser.new_context(
        viewport={"width": width, "height": 740}, locale="zh-CN"
    )
    page = context.new_page()

    page.goto(live_server.url + "/")
    expect(page).to_have_title("测试区网格学校")
    expect(page.get_by_role("link", name="公益理念")).to_be_visible()
    assert_fits(page)
    assert_no_serious_violations(page)
    page.screenshot(path=artifacts_dir / f"home-{width}.png", full_page=True)
    page.get_by_role("main").get_by_role("link", name="浏览课程").click()

    expect(page).to_have_title("课程 · 测试区网格学校")
    expect(page.locator(".course-card")).to_have_count(1)
    assert_fits(page)
    assert_no_serious_violations(page)
    page.get_by_role("navigation", name="主导航").get_by_role(
        "link", name="注册"
    ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("注册")
    assert_fits(page)
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_label("姓名").fill("刘晓梅")
    page.get_by_label("电子邮箱").focus()
    # 街道 › 社区 › 网格 with the keyboard: each list opens the next.
    page.keyboard.press("Tab")
    expect(page.get_by_label("街道", exact=True)).to_be_focused()
    expect(page.get_by_label("社区", exact=True)).to_be_disabled()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("街道", exact=True)).to_have_value("东湖街道")
    page.keyboard.press("Tab")
    expect(page.get_by_label("社区", exact=True)).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    grid_list = page.get_by_label("网格", exact=True)
    expect(grid_list).to_be_focused()
    expect(grid_list.locator("option")).to_have_text(
        ["请选择网格", "社区本级（不分网格）", "第1网格", "第2网格"]
    )
    for _step in range(3):
        page.keyboard.press("ArrowDown")
    expect(grid_list).to_have_value(str(east_lake_grid.pk))
    page.get_by_label(re.compile(r"^密码")).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_text("展开阅读《个人信息保护说明》").click()
    expect(page.get_by_text("一、我们收集哪些信息")).to_be_visible()
    assert_fits(page)
    assert_no_serious_violations(page)
    page.screenshot(path=artifacts_dir / f"signup-{width}.png", full_page=True)
    page.get_by_label("我已阅读并同意《个人信息保护说明》").focus()
    page.keyboard.press("Space")
    page.get_by_role("main").get_by_role("button", name="注册").press("Enter")

    expect(page).to_have_url(re.compile(r"/learning/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("我的学习")
    expect(page.get_by_text("注册成功，欢迎加入！")).to_be_visible()
    assert_fits(page)
    assert_no_serious_violations(page)
    user = User.objects.get(phone=PHONE)
    assert user.org_unit == east_lake_grid
    assert user.privacy_consented_at is not None
    context.close()
