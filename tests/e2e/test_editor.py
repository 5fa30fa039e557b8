"""An instructor's manual save is what stays: an option of a quiz edited in the
Wagtail editor, saved as a draft, is there after a reload (autosave is off and
overwrites nothing). The quiz's options are compact: text and 正确答案 on one line."""

import re

from django.conf import settings

import pytest
from playwright.sync_api import Page, expect

from courses.models import LessonPage
from school.models import User
from tests.courses.factories import (
    CourseIndexPageFactory,
    CoursePageFactory,
    LessonPageFactory,
    quiz_body,
)
from tests.e2e.steps import admin_log_in
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e

FIND_OPTION = """(text) => {
  const input = [...document.querySelectorAll("input[type=text]")].find(
    (element) => element.value === text
  );
  return input ? input.name : null;
}"""
SAME_LINE = """(name) => {
  const text = document.querySelector(`input[name="${name}"]`).getBoundingClientRect();
  const correct = document
    .querySelector(`input[name="${name.replace(/text$/, "is_correct")}"]`)
    .getBoundingClientRect();
  return correct.top < text.bottom && text.top < correct.bottom
    && correct.left >= text.right;
}"""


@pytest.mark.parametrize("screen", ["page", "phone_page"])
def test_an_edited_quiz_option_survives_saving_and_reloading(
    screen, request, live_server, grid_school
):
    page: Page = request.getfixturevalue(screen)
    index = CourseIndexPageFactory(parent=grid_school, title="课程", slug="courses")
    course = CoursePageFactory(parent=index, title="公益理念", slug="gong-yi")
    lesson = LessonPageFactory(
        parent=course, title="第二课 服务礼仪", slug="l2", body=quiz_body()
    )
    editor = User.objects.create_superuser(phone="13800000009", password=TEST_PASSWORD)
    assert settings.WAGTAIL_AUTOSAVE_INTERVAL == 0

    admin_log_in(page, live_server.url, editor.phone)
    edit_url = f"{live_server.url}/admin/pages/{lesson.pk}/edit/"
    page.goto(edit_url)
    expect(page.locator("form[data-controller~='w-autosave']")).to_have_count(0)
    # The StreamField's inputs are built by script, their values set as properties.
    page.wait_for_function(FIND_OPTION, arg="强制、有偿")
    name = page.evaluate(FIND_OPTION, "强制、有偿")
    option = page.locator(f"input[name='{name}']")
    option.fill("敷衍了事")
    # Compact options: the text and its 正确答案 box share a line (both measured
    # at once, as the editor's blocks are still settling above them).
    if screen == "page":
        assert page.evaluate(SAME_LINE, name)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages .success")).to_be_visible()

    page.goto(edit_url)
    expect(page.locator(f"input[name='{name}']")).to_have_value("敷衍了事")
    page.reload()
    expect(page.locator(f"input[name='{name}']")).to_have_value("敷衍了事")
    expect(page).to_have_url(re.compile(rf"/admin/pages/{lesson.pk}/edit/$"))
    body = LessonPage.objects.get(pk=lesson.pk).get_latest_revision().as_object().body
    (quiz,) = [block.value for block in body if block.block_type == "quiz"]
    assert quiz["questions"][0]["choices"][1]["text"] == "敷衍了事"


def test_typing_in_a_new_lesson_creates_no_page_until_the_author_saves(
    page: Page, live_server, grid_school
):
    index = CourseIndexPageFactory(parent=grid_school, title="课程", slug="courses")
    course = CoursePageFactory(parent=index, title="公益理念", slug="gong-yi")
    editor = User.objects.create_superuser(phone="13800000009", password=TEST_PASSWORD)

    admin_log_in(page, live_server.url, editor.phone)
    page.goto(f"{live_server.url}/admin/pages/add/courses/lessonpage/{course.pk}/")
    expect(page.locator("form[data-controller~='w-autosave']")).to_have_count(0)
    page.locator("#id_title").fill("第三课 未保存")
    # Wagtail's autosave, when on, saves half a second after a change.
    page.wait_for_timeout(1500)

    assert not LessonPage.objects.exists()
