"""An administrator bulk-issues a class's certificates; the trainee downloads the
PDF from 我的证书; the QR code in that PDF leads to the verification page, which
says 有效 and shows the canonical record — in a real browser. On a phone: the
holder of a revoked certificate sees 已撤销 with its date and no download, and a
visitor who looks a certificate up by number and name sees the full name."""

import io
import re
from pathlib import Path

from django.utils.formats import date_format

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from certificates import services
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
from tests.e2e.axe import assert_no_serious_violations
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
    assert_no_serious_violations(trainee_page)
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
    assert_no_serious_violations(public)


def _issued_certificate(grid_school, trainee) -> Certificate:
    index = CourseIndexPageFactory(parent=grid_school, title="课程", slug="courses")
    course = CoursePageFactory(parent=index, title="公益理念", slug="gong-yi")
    enrollment = completed_enrollment(TrainingClassFactory(course=course), trainee)
    template = CertificateTemplateFactory(school=grid_school, name="网格学校结业证书")
    return services.issue_certificate(enrollment, template=template, deliver=False)


@pytest.mark.parametrize("screen", ["phone_page", "page"])
def test_the_holder_of_a_revoked_certificate_sees_the_date_and_no_download(
    screen, request, live_server, grid_school, trainee, school_admin, artifacts_dir
):
    phone_page: Page = request.getfixturevalue(screen)
    certificate = _issued_certificate(grid_school, trainee)
    services.revoke_certificate(certificate, actor=school_admin, reason="学时记录有误")
    certificate.refresh_from_db()

    log_in(phone_page, live_server.url, trainee.phone)
    phone_page.goto(live_server.url + "/certificates/")

    card = phone_page.locator("li", has_text=certificate.number)
    expect(card).to_contain_text("已撤销")
    expect(card).to_contain_text(date_format(certificate.revoked_on, "DATE_FORMAT"))
    expect(card).to_contain_text("学时记录有误")
    expect(card.get_by_role("link", name="下载 PDF")).to_have_count(0)
    expect(card.get_by_role("link", name=re.compile("数字证书"))).to_have_count(0)
    expect(card.get_by_role("link", name="复制链接")).to_have_count(0)
    phone_page.screenshot(
        path=artifacts_dir / f"my-certificates-revoked-{screen}.png", full_page=True
    )
    assert_no_serious_violations(phone_page)


def test_a_lookup_by_number_and_name_shows_the_full_name_without_a_second_lookup(
    phone_page: Page, live_server, grid_school, trainee
):
    certificate = _issued_certificate(grid_school, trainee)

    phone_page.goto(live_server.url + "/verify/")
    assert_no_serious_violations(phone_page)
    phone_page.get_by_label("证书编号").fill(certificate.number.lower())
    phone_page.get_by_label("持证人姓名").fill(trainee.real_name)
    phone_page.get_by_role("main").get_by_role("button", name="查询").click()

    expect(phone_page).to_have_url(live_server.url + f"/verify/{certificate.code}/")
    main = phone_page.get_by_role("main")
    expect(main).to_contain_text(trainee.real_name)
    expect(main.get_by_role("link", name="证书编号和姓名查询")).to_have_count(0)
    assert trainee.real_name not in phone_page.url
    assert_no_serious_violations(phone_page)
