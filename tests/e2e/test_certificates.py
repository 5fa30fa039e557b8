"""An administrator bulk-issues a class's certificates; the trainee downloads the
PDF from 我的证书; the QR code in that PDF leads to the verification page, which
says 有效 and shows the canonical record — in a real browser."""

import io
import re
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from certificates.models import Certificate
from tests.certificates.factories import (
    CertificateTemplateFactory,
    completed_enrollment,
)
from tests.courses.factories import (
    CourseIndexPageFactory,
    CoursePageFactory,
    TrainingClassFactory,
)
from tests.e2e.steps import admin_log_in, log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def qr_urls_in(pdf: bytes) -> list[str]:
    """Decode every QR code among the PDF's images."""
    texts = []
    for pdf_page in PdfReader(io.BytesIO(pdf)).pages:
        for image in pdf_page.images:
            picture = Image.open(io.BytesIO(image.data)).convert("L")
            texts += [found.text for found in zxingcpp.read_barcodes(picture)]
    return texts


def test_bulk_issue_download_and_verify_by_qr(
    page: Page,
    browser: Browser,
    live_server,
    settings,
    grid_school,
    grid,
    trainee,
    school_admin,
    artifacts_dir: Path,
):
    settings.SITE_URL = live_server.url  # what the QR codes point at
    index = CourseIndexPageFactory(parent=grid_school, title="课程", slug="courses")
    course = CoursePageFactory(parent=index, title="公益理念", slug="gong-yi")
    training_class = TrainingClassFactory(course=course, number=3)
    completed_enrollment(training_class, trainee)
    for _ in range(2):
        completed_enrollment(training_class, UserFactory(org_unit=grid))
    CertificateTemplateFactory(school=grid_school, name="网格学校结业证书")

    # The administrator issues the class's certificates in bulk.
    admin_log_in(page, live_server.url, school_admin.phone)
    page.goto(live_server.url + "/admin/certificates/classes/")
    page.get_by_role("link", name=re.compile("公益理念")).first.click()
    checkboxes = page.locator("input[type=checkbox][name=enrollments]")
    expect(checkboxes).to_have_count(3)
    page.get_by_role("button", name="签发证书").click()
    expect(page.get_by_role("link", name="查看本班证书")).to_be_visible(timeout=60_000)
    page.screenshot(path=artifacts_dir / "admin-bulk-issued.png", full_page=True)
    assert (
        Certificate.objects.filter(enrollment__training_class=training_class).count()
        == 3
    )
    number = Certificate.objects.get(holder=trainee).number

    # The trainee downloads the PDF from 我的证书.
    trainee_page = browser.new_context(locale="zh-CN").new_page()
    log_in(trainee_page, live_server.url, trainee.phone)
    trainee_page.goto(live_server.url + "/certificates/")
    card = trainee_page.locator("li, article, tr", has_text=number).first
    expect(card).to_contain_text("公益理念")
    trainee_page.screenshot(path=artifacts_dir / "my-certificates.png", full_page=True)
    with trainee_page.expect_download() as download_info:
        card.get_by_role("link", name="下载 PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith(number)
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF")

    # The QR code in the PDF leads to the verification page: 有效.
    (url,) = qr_urls_in(pdf)
    assert url.startswith(live_server.url + "/verify/")
    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(url)
    main = public.get_by_role("main")
    expect(main).to_contain_text("有效")
    expect(main).to_contain_text(number)
    expect(main).to_contain_text("公益理念")
    expect(main).to_contain_text("测试区网格学校")
    expect(main).not_to_contain_text(trainee.real_name)  # the name is masked
    public.screenshot(path=artifacts_dir / "verify.png", full_page=True)
