"""Check-in in a real browser at phone width (390×844): a booked trainee checks in
from 我的学习 with the code on the instructor's screen, typed and sent by keyboard;
the instructor's scan page takes a typed personal card code (the camera reader,
jsQR from npm, loads from our own static files without a policy violation); the
trainee's card page prints and resets. axe finds no serious violation."""

import re
from datetime import timedelta
from pathlib import Path

from django.db import connections
from django.utils import timezone

import pytest
import segno
from playwright.sync_api import Page, expect, sync_playwright

from courses import checkin, sessions
from courses.models import AttendanceRecord, BookableSession, CheckInCard
from tests.e2e.axe import assert_no_serious_violations
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE_VIEWPORT, TIMEOUT_MS
from tests.e2e.steps import log_in
from tests.e2e.test_csp import watch_for_violations

pytestmark = pytest.mark.e2e


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def session_now(class_session, active_enrollment, trainee):
    """The class session, booked by the trainee, starting in five minutes."""
    sessions.book_session(class_session, trainee=trainee, actor=trainee)
    starts_at = timezone.now() + timedelta(minutes=5)
    BookableSession.objects.filter(pk=class_session.pk).update(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        booking_closes_at=starts_at - timedelta(days=1),
    )
    class_session.refresh_from_db()
    return class_session


def test_a_trainee_checks_in_with_the_typed_code_from_my_learning(
    phone_page: Page, live_server, trainee, session_now, artifacts_dir: Path
):
    page = phone_page
    log_in(page, live_server.url, trainee.phone)
    region = page.get_by_role("region", name="现在可以签到")
    region.get_by_role("link", name=re.compile("^签到")).click()
    expect(page.get_by_role("heading", name="自助签到", level=1)).to_be_visible()
    assert fits_the_screen(page)
    assert_no_serious_violations(page)

    field = page.get_by_label("签到码（6 位数字）")
    # A wrong code first: refused, said plainly, nothing marked.
    field.fill("000000" if checkin.session_code(session_now) != "000000" else "111111")
    field.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("签到码不正确或已过期")
    assert_no_serious_violations(page)
    assert not AttendanceRecord.objects.exists()

    page.get_by_label("签到码（6 位数字）").fill(checkin.session_code(session_now))
    page.get_by_label("签到码（6 位数字）").press("Enter")
    expect(page.get_by_text("签到成功：出勤。")).to_be_visible()
    expect(page.get_by_text("您已签到：出勤。")).to_be_visible()
    page.screenshot(path=artifacts_dir / "checkin-self-done-phone.png", full_page=True)
    record = AttendanceRecord.objects.get(trainee=trainee)
    assert record.status == AttendanceRecord.Status.PRESENT
    assert record.method == AttendanceRecord.Method.SELF


def test_the_scan_page_accepts_a_typed_personal_code(
    phone_page: Page, live_server, trainee, instructor, session_now, artifacts_dir
):
    page = phone_page
    violations = watch_for_violations(page)
    log_in(page, live_server.url, instructor.phone)
    page.goto(f"{live_server.url}/check-in/sessions/{session_now.pk}/scan/")
    expect(page.get_by_role("heading", name="扫码签到", level=1)).to_be_visible()
    # The camera reader loaded from our own static files, and offers itself.
    page.wait_for_function("typeof window.jsQR === 'function'")
    expect(page.get_by_role("button", name="打开摄像头扫码")).to_be_visible()
    expect(page.get_by_role("button", name="关闭摄像头")).to_be_hidden()
    assert fits_the_screen(page)
    assert_no_serious_violations(page)

    # By keyboard alone: to the field, type the grouped digits, Enter.
    field = page.get_by_role("textbox", name="签到卡号")
    field.focus()
    page.keyboard.type(checkin.group_digits(checkin.card_code(trainee)))
    page.keyboard.press("Enter")
    expect(
        page.get_by_text(f"{trainee.real_name}（{trainee.masked_phone}）：出勤")
    ).to_be_visible()
    expect(page.get_by_test_id("attended")).to_have_text("1")
    assert_no_serious_violations(page)
    page.screenshot(path=artifacts_dir / "checkin-scan-typed-phone.png", full_page=True)

    # A wrong code: a clear refusal, nothing more marked.
    page.get_by_role("textbox", name="签到卡号").fill("1234 5678")
    page.get_by_role("button", name="签到", exact=True).click()
    expect(page.get_by_text(re.compile("签到码无效"))).to_be_visible()
    expect(page.get_by_test_id("attended")).to_have_text("1")
    assert violations == []
    assert AttendanceRecord.objects.get(trainee=trainee).marked_by == instructor


def test_the_code_screen_shows_the_current_code(
    phone_page: Page, live_server, instructor, session_now
):
    page = phone_page
    violations = watch_for_violations(page)
    log_in(page, live_server.url, instructor.phone)
    page.goto(f"{live_server.url}/check-in/sessions/{session_now.pk}/code/")
    code = page.locator("[data-code]")
    expect(code).to_have_text(re.compile(r"^\d{6}$"))
    assert code.inner_text() in {
        checkin.session_code(session_now),
        checkin.session_code(session_now, timezone.now() - timedelta(seconds=60)),
    }
    assert_no_serious_violations(page)
    assert violations == []


def test_the_card_page_shows_the_code_and_resets_after_confirming(
    phone_page: Page, live_server, trainee, artifacts_dir
):
    page = phone_page
    log_in(page, live_server.url, trainee.phone)
    page.get_by_role("link", name="我的签到卡").click()
    expect(page.get_by_role("heading", name="我的签到卡", level=1)).to_be_visible()
    old = checkin.group_digits(checkin.card_code(trainee))
    expect(page.get_by_text(old, exact=True)).to_be_visible()
    expect(page.get_by_role("img", name="签到二维码")).to_be_visible()
    assert fits_the_screen(page)
    assert_no_serious_violations(page)
    page.screenshot(path=artifacts_dir / "checkin-card-phone.png", full_page=True)
    # Printed: the card alone, the site's header and the reset form left out.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name=re.compile("^重置签到卡"))).to_be_hidden()
    expect(page.get_by_text(old, exact=True)).to_be_visible()
    page.screenshot(path=artifacts_dir / "checkin-card-print.png", full_page=True)
    page.emulate_media(media="screen")

    # Dismissing the confirmation changes nothing; accepting it resets.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name=re.compile("^重置签到卡")).click()
    expect(page.get_by_text(old, exact=True)).to_be_visible()
    assert not CheckInCard.objects.exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile("^重置签到卡")).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("签到卡已重置，旧卡已作废。", exact=False)).to_be_visible()
    expect(page.get_by_text(old, exact=True)).to_have_count(0)
    assert CheckInCard.objects.get(person=trainee).version == 1


def fake_camera_video(path: Path, text: str) -> Path:
    """A still video (Y4M, grey) of the QR code of `text`, for Chromium's fake
    camera."""
    width, height, scale, border = 320, 240, 5, 4
    matrix = list(
        segno.make_qr(text, error="m").matrix_iter(scale=scale, border=border)
    )
    left, top = (width - len(matrix[0])) // 2, (height - len(matrix)) // 2
    luma = bytearray([235]) * (width * height)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                luma[(top + y) * width + left + x] = 16
    chroma = bytes([128]) * (width * height // 4)
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    path.write_bytes(
        f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode() + frame * 10
    )
    return path


def test_the_camera_reads_a_card_and_checks_the_trainee_in(
    transactional_db,
    monkeypatch,
    live_server,
    trainee,
    instructor,
    session_now,
    tmp_path,
    artifacts_dir,
):
    video = fake_camera_video(tmp_path / "card.y4m", checkin.card_code(trainee))
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        try:
            context = browser.new_context(
                viewport=PHONE_VIEWPORT, locale="zh-CN", permissions=["camera"]
            )
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            violations = watch_for_violations(page)
            log_in(page, live_server.url, instructor.phone)
            page.goto(f"{live_server.url}/check-in/sessions/{session_now.pk}/scan/")
            page.get_by_role("button", name="打开摄像头扫码").click()
            expect(
                page.get_by_text(f"{trainee.real_name}（{trainee.masked_phone}）：出勤")
            ).to_be_visible()
            expect(page.get_by_test_id("attended")).to_have_text("1")
            # Back for the next card, the camera on again; the same card still in
            # front of it is not sent twice.
            expect(page.get_by_role("button", name="关闭摄像头")).to_be_visible()
            page.wait_for_timeout(1500)
            expect(page.get_by_test_id("attended")).to_have_text("1")
            page.screenshot(path=artifacts_dir / "checkin-camera-phone.png")
            page.get_by_role("button", name="关闭摄像头").click()
            expect(page.get_by_role("button", name="打开摄像头扫码")).to_be_visible()
            assert violations == []
        finally:
            connections.close_all()
            browser.close()
    record = AttendanceRecord.objects.get(trainee=trainee)
    assert record.method == AttendanceRecord.Method.SCAN
    assert record.marked_by == instructor
