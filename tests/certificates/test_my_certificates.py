"""我的证书, the PDF and the Open Badges credential: the holder and administrators
get them, anyone else a 404 (never a 403), visitors are sent to log in."""

import io
from datetime import date, timedelta
from urllib.parse import quote

from django.utils import timezone
from django.utils.formats import date_format

import pytest
from pypdf import PdfReader

from certificates import services
from certificates.models import Certificate, CertificateEvent, SigningKey
from tests.certificates.factories import completed_enrollment
from tests.courses.factories import TrainingClassFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MINE_URL = "/certificates/"


def pdf_url(certificate: Certificate) -> str:
    return f"/certificates/{certificate.pk}/pdf/"


def credential_url(certificate: Certificate) -> str:
    return f"/certificates/{certificate.pk}/credential.json"


def page(response) -> str:
    return response.content.decode()


def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def superuser(grid):
    return UserFactory(real_name="超级管理员", is_superuser=True, is_staff=True)


@pytest.fixture
def other_certificate_of_the_holder(course, trainee, certificate_template):
    """The same trainee's certificate from a second class of the course."""
    enrollment = completed_enrollment(
        TrainingClassFactory(course=course, capacity=30), trainee
    )
    return services.issue_certificate(
        enrollment, template=certificate_template, deliver=False
    )


# --- 我的证书 -----------------------------------------------------------------------


def test_a_visitor_is_sent_to_log_in(client, certificate):
    for url in (MINE_URL, pdf_url(certificate), credential_url(certificate)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={quote(url)}"


def test_the_holder_sees_their_certificate_with_its_links(client, certificate):
    content = page(logged_in(client, certificate.holder).get(MINE_URL))

    assert certificate.number in content
    assert certificate.snapshot["course_title"] in content
    assert "有效" in content
    assert f'value="{certificate.verification_url}"' in content
    assert f'href="{certificate.verification_url}"' in content  # copy without JS
    assert f'href="{pdf_url(certificate)}"' in content
    assert f'href="{credential_url(certificate)}"' in content
    assert "长期有效" in content


def test_another_trainee_sees_none_of_it(client, certificate, other_trainee):
    content = page(logged_in(client, other_trainee).get(MINE_URL))

    assert certificate.number not in content
    assert "您还没有证书" in content


def test_the_header_and_my_learning_link_to_my_certificates(
    client, trainee, grid_school
):
    logged_in(client, trainee)

    assert f'href="{MINE_URL}"' in page(client.get("/"))
    assert f'href="{MINE_URL}"' in page(client.get("/learning/"))


@pytest.mark.parametrize(
    ("days", "label"),
    [(400, "有效"), (60, "即将到期（还剩 60 天）"), (7, "即将到期（还剩 7 天）")],
)
def test_a_certificate_near_its_end_shows_as_expiring(client, certificate, days, label):
    ends = timezone.localdate() + timedelta(days=days)
    Certificate.objects.filter(pk=certificate.pk).update(valid_until=ends)

    content = page(logged_in(client, certificate.holder).get(MINE_URL))

    assert label in content
    assert f"{ends.year}年{ends.month}月{ends.day}日" in content


def test_an_expired_certificate_shows_as_expired(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(valid_until=date(2020, 1, 31))

    content = page(logged_in(client, certificate.holder).get(MINE_URL))

    assert "status--expired" in content and "已过期" in content


def test_the_holder_is_told_why_a_certificate_was_revoked(
    client, certificate, school_admin
):
    services.revoke_certificate(certificate, actor=school_admin, reason="学时记录有误")

    content = page(logged_in(client, certificate.holder).get(MINE_URL))

    assert "已撤销" in content
    assert "学时记录有误" in content


def test_a_revoked_certificate_shows_its_date_and_offers_no_download_or_share(
    client, certificate, school_admin
):
    services.revoke_certificate(certificate, actor=school_admin, reason="测试")
    certificate.refresh_from_db()

    content = page(logged_in(client, certificate.holder).get(MINE_URL))

    assert "已撤销" in content
    assert "撤销日期" in content
    assert date_format(certificate.revoked_on, "DATE_FORMAT") in content
    assert "不能再下载或分享" in content
    assert pdf_url(certificate) not in content
    assert credential_url(certificate) not in content
    assert certificate.verification_url not in content
    assert "复制链接" not in content
    assert "digital-certificate-help" not in content  # nothing left to share


def test_a_revoked_certificate_leaves_the_others_downloadable(
    client, certificate, other_certificate_of_the_holder, school_admin
):
    services.revoke_certificate(certificate, actor=school_admin, reason="测试")

    content = page(logged_in(client, certificate.holder).get(MINE_URL))

    assert pdf_url(other_certificate_of_the_holder) in content
    assert credential_url(other_certificate_of_the_holder) in content
    assert pdf_url(certificate) not in content


def test_the_digital_certificate_is_explained_in_plain_words(client, certificate):
    content = page(logged_in(client, certificate.holder).get(MINE_URL))

    assert "下载数字证书" in content
    assert "可在其他平台验证" in content
    assert 'aria-describedby="digital-certificate-help"' in content
    assert "（JSON）" not in content


# --- the PDF ------------------------------------------------------------------------


def test_before_the_worker_renders_it_the_download_says_it_is_being_prepared(
    client, certificate
):
    assert not certificate.pdf
    events = CertificateEvent.objects.count()

    response = logged_in(client, certificate.holder).get(pdf_url(certificate))

    assert response.status_code == 202
    assert "正在生成" in response.content.decode()
    assert response["Retry-After"]
    certificate.refresh_from_db()
    assert not certificate.pdf  # a GET renders nothing and stores nothing
    assert CertificateEvent.objects.count() == events


def test_the_holder_downloads_the_pdf_the_worker_rendered(client, certificate):
    services.deliver_certificate(certificate)

    response = logged_in(client, certificate.holder).get(pdf_url(certificate))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    name = f"{certificate.number}-张三.pdf"
    assert response["Content-Disposition"] == (
        f"attachment; filename*=utf-8''{quote(name)}"
    )
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert certificate.number in text
    certificate.refresh_from_db()
    assert certificate.pdf


def test_a_second_download_serves_the_stored_pdf(client, certificate):
    services.render_certificate(certificate)
    stored = certificate.pdf.name
    logged_in(client, certificate.holder)

    response = client.get(pdf_url(certificate))

    assert response.status_code == 200
    certificate.refresh_from_db()
    assert certificate.pdf.name == stored
    assert (
        CertificateEvent.objects.filter(
            certificate=certificate, kind=CertificateEvent.Kind.RENDERED
        ).count()
        == 1
    )


@pytest.mark.parametrize("who", ["school_admin", "superuser"])
def test_an_administrator_downloads_anyones_pdf(client, certificate, request, who):
    services.render_certificate(certificate)
    response = logged_in(client, request.getfixturevalue(who)).get(pdf_url(certificate))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("who", ["other_trainee", "instructor", "site_host"])
def test_anyone_else_gets_404_for_the_pdf_and_the_credential(
    client, certificate, request, who
):
    logged_in(client, request.getfixturevalue(who))

    assert client.get(pdf_url(certificate)).status_code == 404
    assert client.get(credential_url(certificate)).status_code == 404
    certificate.refresh_from_db()
    assert not certificate.pdf  # nothing was rendered for them


def test_someone_elses_certificate_is_the_same_404_as_a_missing_one(
    client, certificate, other_trainee
):
    logged_in(client, other_trainee)

    theirs = client.get(pdf_url(certificate))
    missing = client.get(f"/certificates/{certificate.pk + 1000}/pdf/")

    assert theirs.status_code == missing.status_code == 404
    assert [t.name for t in theirs.templates] == [t.name for t in missing.templates]


def test_the_holder_still_downloads_a_revoked_certificate(
    client, certificate, school_admin
):
    services.render_certificate(certificate)
    services.revoke_certificate(certificate, actor=school_admin, reason="测试")

    response = logged_in(client, certificate.holder).get(pdf_url(certificate))

    assert response.status_code == 200


def test_the_sweep_renders_what_a_failed_delivery_left_behind(certificate):
    fresh = timezone.now()

    assert services.render_missing_pdfs(now=fresh) == 0  # still within its grace
    later = fresh + services.MISSING_PDF_GRACE + timedelta(minutes=1)
    assert services.render_missing_pdfs(now=later) == 1

    certificate.refresh_from_db()
    assert certificate.pdf
    assert services.render_missing_pdfs(now=later) == 0


def test_downloads_accept_no_post(client, certificate):
    logged_in(client, certificate.holder)

    assert client.post(pdf_url(certificate)).status_code == 405
    assert client.post(credential_url(certificate)).status_code == 405
    assert client.post(MINE_URL).status_code == 405


# --- the Open Badges credential -----------------------------------------------------


def test_the_holder_gets_the_signed_credential(client, certificate, grid_school):
    from certificates.badges import verify_credential

    response = logged_in(client, certificate.holder).get(credential_url(certificate))

    assert response.status_code == 200
    credential = response.json()
    assert "OpenBadgeCredential" in credential["type"]
    assert credential["credentialSubject"]["licenseNumber"] == certificate.number
    assert credential["credentialStatus"]["id"] == certificate.verification_url
    profile = client.get(f"/verify/issuers/{grid_school.pk}/").json()
    key = profile["verificationMethod"][0]["publicKeyMultibase"]
    assert verify_credential(credential, key)


def test_a_credential_download_never_makes_a_key(client, certificate):
    SigningKey.objects.all().delete()

    response = logged_in(client, certificate.holder).get(credential_url(certificate))

    assert response.status_code == 503
    assert "签名密钥" in response.content.decode()
    assert not SigningKey.objects.exists()


def test_an_administrator_gets_anyones_credential(client, certificate, school_admin):
    response = logged_in(client, school_admin).get(credential_url(certificate))

    assert response.status_code == 200
    assert response.json()["credentialSubject"]["name"] == "张三"
