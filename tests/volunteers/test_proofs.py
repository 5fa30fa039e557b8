"""Service-record proofs (志愿服务记录证明): only approved service counts, the
period is the volunteer's choice, the PDF (real WeasyPrint, read back with pypdf)
prints every field with real glyphs for rare characters, the QR leads to the
public verify page, the proof is frozen at issue and revocable, and the pages
give 404 for someone else's proof and write nothing on GET."""

import re
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

import pytest
import wagtail_factories

from certificates import services as certificate_services
from certificates.models import Certificate, CertificateEvent, NumberSequence
from certificates.rendering import render_pdf
from certificates.snapshots import date_label
from school import roles
from school.models import SchoolPage
from tests.certificates.test_rendering import (
    decoded_qr_codes,
    flat,
    printed_glyphs,
    read,
)
from tests.factories import UserFactory
from volunteers.models import PointItem, ServiceRecord
from volunteers.proofs import issue_service_proof

pytestmark = pytest.mark.django_db

RARE_NAME = "张𠮷䶮"
Status = ServiceRecord.Status


@pytest.fixture
def academy(volunteer_academy):
    volunteer_academy.seal_image = wagtail_factories.ImageFactory(title="学院公章")
    volunteer_academy.save()
    return volunteer_academy


@pytest.fixture
def person(trainee):
    """张三 of 桃园社区 第1网格, with a phone we can see masked."""
    trainee.phone = "13812348000"
    trainee.save(update_fields=["phone"])
    return trainee


@pytest.fixture
def decider(community):
    return UserFactory(real_name="孙协调", org_unit=community, role=roles.COORDINATOR)


@pytest.fixture
def items(db) -> tuple[PointItem, PointItem]:
    return (
        PointItem.objects.create(name="巡查处置", points=10),
        PointItem.objects.create(name="助老服务", points=5, unit=PointItem.Unit.HOUR),
    )


def record(person, item, *, days_ago, hours, status=Status.APPROVED, decider=None):
    return ServiceRecord.objects.create(
        volunteer=person,
        item=item,
        served_on=timezone.localdate() - timedelta(days=days_ago),
        hours=Decimal(hours),
        place="桃园社区",
        description="服务",
        status=status,
        decided_by=decider if status != Status.PENDING else None,
        decided_at=timezone.now() if status != Status.PENDING else None,
    )


@pytest.fixture
def service(person, items, decider):
    """Three approved records (two items), one pending and one rejected."""
    patrol, elderly = items
    return [
        record(person, patrol, days_ago=30, hours="2", decider=decider),
        record(person, elderly, days_ago=20, hours="3.5", decider=decider),
        record(person, patrol, days_ago=10, hours="1.5", decider=decider),
        record(person, elderly, days_ago=5, hours="8", status=Status.PENDING),
        record(
            person,
            patrol,
            days_ago=4,
            hours="6",
            status=Status.REJECTED,
            decider=decider,
        ),
    ]


def day(days_ago: int):
    return timezone.localdate() - timedelta(days=days_ago)


def issue(person, since=None, until=None, actor=None):
    return issue_service_proof(person, since=since, until=until, actor=actor or person)


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in read(pdf).pages)


# --- what a proof counts -------------------------------------------------------------


def test_a_proof_counts_only_approved_records_over_the_whole_service_by_default(
    academy, person, service
):
    proof = issue(person)

    snapshot = proof.snapshot
    assert proof.kind == Certificate.Kind.SERVICE_PROOF
    assert proof.enrollment is None and proof.template is None
    assert proof.school == academy and proof.holder == person
    assert snapshot["total_hours"] == "7"  # 2 + 3.5 + 1.5; pending and rejected not
    assert snapshot["record_count"] == 3
    assert snapshot["items"] == [  # most hours first, then by name
        {"name": "助老服务", "count": 1, "hours": "3.5"},
        {"name": "巡查处置", "count": 2, "hours": "3.5"},
    ]
    assert snapshot["starts_on"] == day(30).isoformat()
    assert snapshot["ends_on"] == day(10).isoformat()
    assert snapshot["phone_masked"] == "138****8000"
    assert "13812348000" not in str(snapshot)
    assert snapshot["org_unit_name"].endswith("桃园社区 › 第1网格")
    assert snapshot["school_name"] == "测试街道志愿者培训学院"
    assert re.fullmatch(rf"ZYXY-{day(0).year}-FW-000001", proof.number)
    event = proof.events.get()
    assert event.kind == CertificateEvent.Kind.ISSUED and event.actor == person


def test_a_chosen_period_prints_as_chosen_and_counts_what_falls_in_it(
    academy, person, service
):
    proof = issue(person, since=day(25), until=day(1))

    assert proof.snapshot["starts_on"] == day(25).isoformat()
    assert proof.snapshot["ends_on"] == day(1).isoformat()
    assert proof.snapshot["total_hours"] == "5"
    assert proof.snapshot["record_count"] == 2


def test_a_period_without_approved_service_is_refused_and_nothing_is_issued(
    academy, person, service
):
    with pytest.raises(ValidationError, match="没有已通过审核的服务记录"):
        issue(person, since=day(6), until=day(0))  # only pending and rejected there

    assert not Certificate.objects.exists()
    assert not NumberSequence.objects.exists()


def test_an_impossible_period_is_refused_with_what_to_do(academy, person, service):
    with pytest.raises(ValidationError, match="开始日期不能晚于结束日期"):
        issue(person, since=day(1), until=day(20))
    with pytest.raises(ValidationError, match="结束日期不能晚于今天"):
        issue(person, until=day(-1))


def test_without_a_volunteer_academy_no_proof_is_issued(grid_school, person, service):
    assert not SchoolPage.objects.filter(kind=SchoolPage.Kind.VOLUNTEER_ACADEMY)

    with pytest.raises(ValidationError, match="尚未设置志愿者培训学院"):
        issue(person)


def test_nobody_issues_a_proof_for_someone_else_but_an_administrator(
    academy, person, service, other_trainee, school_admin
):
    with pytest.raises(PermissionDenied):
        issue(person, actor=other_trainee)

    proof = issue(person, actor=school_admin)

    assert proof.holder == person
    assert proof.events.get().actor == school_admin


# --- the PDF ---------------------------------------------------------------------------


def test_the_pdf_prints_every_field_with_real_glyphs_for_rare_characters(
    academy, person, service
):
    person.real_name = RARE_NAME
    person.save(update_fields=["real_name"])
    proof = issue(person)

    pdf = render_pdf(proof)

    text = flat(text_of(pdf))
    for printed in [
        RARE_NAME,
        "志愿服务记录证明",
        "138****8000",
        "桃园社区",
        "第1网格",
        flat(date_label(day(30))),
        flat(date_label(day(10))),
        "累计服务时长",
        "7小时",
        "巡查处置",
        "助老服务",
        "3.5",
        "测试街道志愿者培训学院",
        proof.number,
    ]:
        assert printed in text, printed
    assert "13812348000" not in text
    glyphs = printed_glyphs(pdf)
    for character in RARE_NAME:
        fonts = glyphs[character]
        assert all(has_outline for _, has_outline in fonts), (character, fonts)
        assert all(re.search(r"Noto|HanaMin", name) for name, _ in fonts)
    # 𠮷 (CJK Extension B) and 䶮 (Extension A) are outside the compact GB 2312
    # font: a fuller face draws them.
    for character in "𠮷䶮":
        assert not any("Gridschool" in name for name, _ in glyphs[character])
    assert len(read(pdf).pages[0].images) == 2  # the academy's seal and the QR code


def test_the_qr_leads_to_the_verify_page_which_shows_the_proof_valid_then_revoked(
    academy, person, service, school_admin
):
    proof = issue(person)
    url = f"{settings.SITE_URL.rstrip('/')}/verify/{proof.code}/"

    assert decoded_qr_codes(render_pdf(proof)) == [url]

    page = Client().get(f"/verify/{proof.code}/").content.decode()
    assert "志愿服务记录证明" in page and "有效" in page
    assert proof.number in page and "测试街道志愿者培训学院" in page
    assert "巡查处置" in page and "7 小时" in page
    assert "张三" not in page  # masked on the public page, as for certificates

    certificate_services.revoke_certificate(
        proof, actor=school_admin, reason="服务记录有误"
    )

    page = Client().get(f"/verify/{proof.code}/").content.decode()
    assert "已撤销" in page
    assert "服务记录有误" not in page


def test_a_proof_is_frozen_at_issue(academy, person, service, items):
    proof = issue(person)
    before = text_of(render_pdf(proof))

    person.real_name = "张改名"
    person.phone = "13900001111"
    person.save(update_fields=["real_name", "phone"])
    service[0].hours = Decimal("9")
    service[0].save(update_fields=["hours"])
    items[0].name = "巡查改名"
    items[0].save(update_fields=["name"])
    record(person, items[1], days_ago=15, hours="4", decider=service[0].decided_by)

    proof = Certificate.objects.get(pk=proof.pk)
    assert text_of(render_pdf(proof)) == before
    assert proof.snapshot["total_hours"] == "7"
    assert "巡查处置" in Client().get(f"/verify/{proof.code}/").content.decode()


# --- pages -----------------------------------------------------------------------------


def state() -> list:
    return [
        list(Certificate.objects.order_by("pk").values_list("pk", "status", "pdf")),
        list(CertificateEvent.objects.values_list("pk", "kind")),
        list(NumberSequence.objects.values_list("pk", "last")),
    ]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_volunteer_issues_a_proof_by_post_and_downloads_it_once_rendered(
    academy, person, service, django_capture_on_commit_callbacks
):
    client = signed_in(person)
    page = client.get("/volunteer/proofs/")
    assert page.status_code == 200 and "开具证明" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/volunteer/proofs/issue/",
            {"since": day(25).isoformat(), "until": day(1).isoformat()},
        )
    assert response.status_code == 302 and response["Location"] == "/volunteer/proofs/"
    proof = Certificate.objects.get()
    assert proof.snapshot["total_hours"] == "5"

    pending = client.get(f"/volunteer/proofs/{proof.pk}/pdf/")
    assert pending.status_code == 202  # rendered by the worker, not by this GET
    assert not Certificate.objects.get().pdf

    for callback in callbacks:  # the commit: the worker renders the PDF
        callback()
    download = client.get(f"/volunteer/proofs/{proof.pk}/pdf/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    pdf = b"".join(download.streaming_content)
    assert proof.number in flat(text_of(pdf))
    listing = client.get("/volunteer/proofs/").content.decode()
    assert proof.number in listing


def test_an_empty_period_is_refused_on_the_page_with_what_to_do(
    academy, person, service
):
    response = signed_in(person).post(
        "/volunteer/proofs/issue/",
        {"since": day(6).isoformat(), "until": day(0).isoformat()},
    )

    assert response.status_code == 400
    assert "请调整起止日期" in response.content.decode()
    assert not Certificate.objects.exists()


def test_someone_elses_proof_is_404_and_a_visitor_is_sent_to_log_in(
    academy, person, service, other_trainee, client
):
    proof = issue(person)

    assert (
        signed_in(other_trainee).get(f"/volunteer/proofs/{proof.pk}/pdf/").status_code
        == 404
    )
    assert signed_in(person).get("/volunteer/proofs/999999/pdf/").status_code == 404
    assert (
        proof.number
        not in signed_in(other_trainee).get("/volunteer/proofs/").content.decode()
    )
    for url in ["/volunteer/proofs/", f"/volunteer/proofs/{proof.pk}/pdf/"]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_no_get_writes_anything_and_issuing_needs_post_with_csrf(
    academy, person, service
):
    proof = issue(person)
    client = signed_in(person)
    before = state()

    for url in [
        "/volunteer/proofs/",
        "/volunteer/proofs/issue/",
        f"/volunteer/proofs/{proof.pk}/pdf/",
        f"/verify/{proof.code}/",
    ]:
        client.get(url)
    assert client.get("/volunteer/proofs/issue/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(person)
    assert strict.post("/volunteer/proofs/issue/", {}).status_code == 403

    assert state() == before
    client.post("/volunteer/proofs/issue/", {})  # the control: a POST does issue
    assert Certificate.objects.count() == 2


def test_my_certificates_lists_a_proof_under_its_own_title_without_a_credential(
    academy, person, service
):
    proof = issue(person)
    client = signed_in(person)

    page = client.get("/certificates/").content.decode()

    assert "志愿服务记录证明" in page and proof.number in page
    assert f"/certificates/{proof.pk}/credential.json" not in page
    assert client.get(f"/certificates/{proof.pk}/credential.json").status_code == 404
