"""The Content-Security-Policy blocks nothing the site itself needs: a visitor
browses the front end, and an editor works in the Wagtail admin (dashboard,
explorer, the StreamField editor with its preview, the image chooser, snippets and
the certificate PDF preview) without a single violation — in a real browser."""

import re

from django.urls import reverse

from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

import pytest
from playwright.sync_api import Page, expect

from courses.models import LessonPage
from school.models import User
from tests.certificates.factories import CertificateTemplateFactory
from tests.courses.factories import (
    CourseIndexPageFactory,
    CoursePageFactory,
    LessonPageFactory,
)
from tests.e2e.steps import admin_log_in
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e

# An event listener lasts one document, so an init script adds it again in every
# document and frame, and hands each violation to Python.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline code"}`
    + ` in ${event.documentURI} (${event.sourceFile}:${event.lineNumber})`
  );
});
"""


def watch_for_violations(page: Page) -> list[str]:
    """What the policies block in this tab from now on: violation events, and the
    console's reports (frame-ancestors and Permissions-Policy errors appear only
    there)."""
    violations: list[str] = []
    page.context.expose_binding(
        "reportCspViolation", lambda source, text: violations.append(text)
    )
    page.context.add_init_script(REPORT_VIOLATIONS)

    def on_console(message) -> None:
        if re.search("Content Security Policy|Permissions-Policy", message.text):
            violations.append(message.text)

    page.on("console", on_console)
    return violations


@pytest.fixture
def lesson(grid_school) -> LessonPage:
    index = CourseIndexPageFactory(parent=grid_school, title="课程", slug="courses")
    course = CoursePageFactory(parent=index, title="公益理念", slug="gong-yi")
    return LessonPageFactory(parent=course, title="第一课 志愿服务是什么", slug="l1")


def test_a_visitor_browses_the_front_end_without_a_violation(
    page: Page, live_server, lesson
):
    violations = watch_for_violations(page)

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(live_server.url + "/courses/")
    expect(page.locator(".course-card")).to_have_count(1)
    page.goto(live_server.url + "/accounts/login/")
    expect(page.get_by_label("手机号")).to_be_visible()

    assert violations == []


def test_an_editor_works_in_the_wagtail_admin_without_a_violation(
    page: Page, live_server, lesson, grid_school
):
    image = Image.objects.create(title="活动照片", file=get_test_image_file())
    template = CertificateTemplateFactory(school=grid_school, name="结业证书")
    editor = User.objects.create_superuser(phone="13800000009", password=TEST_PASSWORD)
    violations = watch_for_violations(page)

    # The dashboard, then the explorer.
    admin_log_in(page, live_server.url, editor.phone)
    page.goto(
        live_server.url + reverse("wagtailadmin_explore", args=[lesson.get_parent().pk])
    )
    page.get_by_role("link", name="第一课 志愿服务是什么").first.click()
    expect(page).to_have_url(re.compile(rf"/admin/pages/{lesson.pk}/edit/$"))

    # The StreamField editor: a new paragraph, and an image from the chooser modal.
    insert = page.get_by_role("button", name="插入区块")
    insert.last.click()
    page.get_by_role("option", name="段落").click()
    page.locator(".Draftail-Editor [contenteditable=true]").last.click()
    page.keyboard.type("内容安全策略不挡编辑。")
    insert.last.click()
    page.get_by_role("option", name="图片", exact=True).first.click()
    page.locator("[data-chooser-action-choose]").last.click()
    chooser = page.get_by_role("dialog")
    chooser.get_by_role("link", name="活动照片").click()
    expect(chooser).to_be_hidden()

    # The preview panel frames the lesson as the front end renders it.
    page.get_by_role("button", name="预览开关").click()
    preview = page.frame_locator("#w-preview-iframe")
    expect(preview.get_by_role("heading", level=1)).to_have_text(lesson.title)

    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages .success")).to_be_visible()
    body = LessonPage.objects.get(pk=lesson.pk).get_latest_revision().as_object().body
    assert "内容安全策略不挡编辑。" in str(body)
    assert [block.value.pk for block in body if block.block_type == "image"] == [
        image.pk
    ]

    # A snippet list, and a certificate template's PDF preview.
    page.goto(live_server.url + "/admin/certificates/templates/")
    page.get_by_role("link", name="结业证书").first.click()
    expect(page).to_have_url(re.compile(rf"/edit/{template.pk}/$"))
    with page.expect_response(
        lambda response: (
            "in_preview_panel" in response.url
            and response.headers.get("content-type") == "application/pdf"
        )
    ):
        page.get_by_role("button", name="预览开关").click()

    # A front page with Wagtail's user bar on it.
    page.goto(live_server.url + "/courses/")
    expect(page.locator("wagtail-userbar")).to_be_attached()

    assert violations == []
