"""Documents of other kinds than a completion (service-record proofs now, letters
of appointment next) share the certificate machinery: the database keeps a
completion tied to its enrolment and template, each kind numbers in a series of
its own, `issue_document` freezes what the issuing app built, and the verify
page, 我的证书 and revocation treat them like certificates."""

import re
from datetime import date

from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest
import wagtail_factories

from certificates import services, snapshots
from certificates.models import Certificate, CertificateEvent, NumberSequence
from certificates.numbering import allocate_number, format_number
from certificates.rendering import render_pdf
from tests.certificates.test_rendering import flat, read

pytestmark = pytest.mark.django_db

Kind = Certificate.Kind


def content(name: str = "张三") -> dict:
    """What an app hands to issue_document: the holder's name, the heading, the
    facts of the document (here those of a service-record proof)."""
    return {
        "heading": "志愿服务记录证明",
        "holder_name": name,
        "phone_masked": "138****8000",
        "org_unit_name": "桃园社区 › 第1网格",
        "starts_on": "2026-01-05",
        "starts_on_label": "2026年1月5日",
        "ends_on": "2026-03-01",
        "ends_on_label": "2026年3月1日",
        "total_hours": "12.5",
        "record_count": 4,
        "items": [{"name": "文明劝导", "count": 4, "hours": "12.5"}],
    }


def issue_proof(holder, school, actor=None, **overrides):
    with transaction.atomic():
        return services.issue_document(
            kind=Kind.SERVICE_PROOF,
            holder=holder,
            school=school,
            snapshot={**content(), **overrides},
            actor=actor,
        )


# --- the database's rules --------------------------------------------------------------


def test_existing_certificates_are_completions(certificate):
    assert certificate.kind == Kind.COMPLETION
    assert certificate.is_completion
    assert certificate.title == "结业证书"


def test_a_completion_without_an_enrolment_or_a_template_is_refused_by_the_database(
    certificate,
):
    for field in ("enrollment", "template"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Certificate.objects.filter(pk=certificate.pk).update(**{field: None})


def test_a_document_of_another_kind_needs_neither(trainee, volunteer_academy):
    first = issue_proof(trainee, volunteer_academy)
    second = issue_proof(trainee, volunteer_academy)

    assert first.enrollment is None and first.template is None
    assert first.pk != second.pk  # no (enrolment, template) pair to be unique on


def test_one_completion_per_enrolment_and_template_still_holds(certificate):
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            enrollment=certificate.enrollment,
            template=certificate.template,
            holder=certificate.holder,
            school=certificate.school,
            number="WGXX-2026-JC-999999",
            snapshot={},
        )


def test_the_same_enrolment_and_template_may_back_documents_of_other_kinds(
    certificate,
):
    # Only completions are one per pair; the condition must not catch the rest.
    other = Certificate.objects.create(
        kind=Kind.APPOINTMENT,
        enrollment=certificate.enrollment,
        template=certificate.template,
        holder=certificate.holder,
        school=certificate.school,
        number="WGXX-2026-PS-999999",
        snapshot={},
    )
    assert other.pk


# --- numbers ---------------------------------------------------------------------------


def test_each_kind_numbers_in_its_own_series_and_numbers_stay_unique(
    trainee, volunteer_academy, grid_school, certificate
):
    year = timezone.localdate().year

    proofs = [issue_proof(trainee, volunteer_academy) for _ in range(3)]
    with transaction.atomic():
        appointment = allocate_number(volunteer_academy, year=year, tier="appointment")

    assert [p.number for p in proofs] == [
        f"ZYXY-{year}-FW-00000{serial}" for serial in (1, 2, 3)
    ]
    assert appointment == f"ZYXY-{year}-PS-000001"
    assert re.fullmatch(rf"WGXX-{year}-JC-000001", certificate.number)
    assert NumberSequence.objects.get(tier="service_proof").last == 3
    assert format_number("ZYXY", 2026, "service_proof", 7) == "ZYXY-2026-FW-000007"


def test_a_rolled_back_document_gives_its_number_back_unprinted(
    trainee, volunteer_academy
):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.issue_document(
            kind=Kind.SERVICE_PROOF,
            holder=trainee,
            school=volunteer_academy,
            snapshot=content(),
            actor=None,
        )
        raise RuntimeError("the caller's use case failed")

    assert not Certificate.objects.exists()
    assert issue_proof(trainee, volunteer_academy).number.endswith("-FW-000001")


# --- issue_document --------------------------------------------------------------------


def test_issue_document_refuses_completions_and_unknown_kinds(
    trainee, volunteer_academy
):
    for kind in (Kind.COMPLETION, "diploma"):
        with pytest.raises(ValueError), transaction.atomic():
            services.issue_document(
                kind=kind,
                holder=trainee,
                school=volunteer_academy,
                snapshot=content(),
                actor=None,
            )


def test_issue_document_freezes_the_school_its_seal_the_number_and_the_date(
    trainee, volunteer_academy, school_admin
):
    volunteer_academy.seal_image = wagtail_factories.ImageFactory(title="学院公章")
    volunteer_academy.save()

    proof = issue_proof(trainee, volunteer_academy, actor=school_admin)

    snapshot = proof.snapshot
    assert snapshot["kind"] == snapshot["layout"] == Kind.SERVICE_PROOF
    assert snapshot["school_name"] == "测试街道志愿者培训学院"
    assert snapshot["seal"].startswith(snapshots.FROZEN_IMAGES)
    assert snapshot["number"] == proof.number
    assert snapshot["issued_on"] == timezone.localdate().isoformat()
    assert proof.title == "志愿服务记录证明"
    event = proof.events.get()
    assert (event.kind, event.actor) == (CertificateEvent.Kind.ISSUED, school_admin)


def test_content_cannot_overwrite_the_number_or_the_date(trainee, volunteer_academy):
    proof = issue_proof(
        trainee, volunteer_academy, number="FAKE-1", issued_on="2000-01-01"
    )

    assert proof.snapshot["number"] == proof.number != "FAKE-1"
    assert proof.snapshot["issued_on"] != "2000-01-01"


def test_the_document_is_rendered_after_commit_by_the_worker(
    trainee, volunteer_academy, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        proof = issue_proof(trainee, volunteer_academy)

    proof.refresh_from_db()
    assert proof.pdf
    assert proof.events.filter(kind=CertificateEvent.Kind.RENDERED).count() == 1
    assert proof.events.filter(kind=CertificateEvent.Kind.EMAILED).count() == 0


def test_the_kinds_layout_prints_the_document_in_portrait(trainee, volunteer_academy):
    proof = issue_proof(trainee, volunteer_academy)

    pdf = read(render_pdf(proof))

    width, height = pdf.pages[0].mediabox.width, pdf.pages[0].mediabox.height
    assert height > width
    text = flat(pdf.pages[0].extract_text())
    assert "志愿服务记录证明" in text and proof.number in text and "文明劝导" in text


# --- seen from outside -----------------------------------------------------------------


def test_the_verify_page_shows_the_kinds_title_and_its_facts(
    trainee, volunteer_academy, school_admin
):
    proof = issue_proof(trainee, volunteer_academy)

    page = Client().get(f"/verify/{proof.code}/").content.decode()

    assert "志愿服务记录证明" in page and "出具单位" in page
    assert "12.5 小时" in page and "文明劝导" in page
    assert "课程" not in page.split('id="record-title"')[1]

    services.revoke_certificate(proof, actor=school_admin, reason="重复出具")
    page = Client().get(f"/verify/{proof.code}/").content.decode()
    assert "已撤销" in page


def test_the_verify_page_of_a_completion_is_as_before(certificate):
    page = Client().get(f"/verify/{certificate.code}/").content.decode()

    assert "结业证书" in page and "课程" in page and "培训班" in page


def test_my_certificates_shows_each_kind_under_its_title(
    trainee, volunteer_academy, certificate
):
    proof = issue_proof(trainee, volunteer_academy)
    client = Client()
    client.force_login(trainee)

    page = client.get("/certificates/").content.decode()

    assert "志愿服务记录证明" in page and proof.number in page
    assert f"/certificates/{certificate.pk}/credential.json" in page
    assert f"/certificates/{proof.pk}/credential.json" not in page
    assert client.get(f"/certificates/{proof.pk}/credential.json").status_code == 404


def test_a_document_is_revoked_and_reinstated_like_a_certificate(
    trainee, volunteer_academy, school_admin
):
    proof = issue_proof(trainee, volunteer_academy)

    services.revoke_certificate(proof, actor=school_admin, reason="记录有误")
    assert proof.standing(date.today()) == Certificate.Standing.REVOKED
    services.reinstate_certificate(proof, actor=school_admin, reason="已核实")

    proof.refresh_from_db()
    assert proof.status == Certificate.Status.VALID
    kinds = list(proof.events.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["issued", "revoked", "reinstated"]


def test_the_admin_inspect_page_of_a_document_shows_its_kind(
    trainee, volunteer_academy, client, school_admin
):
    proof = issue_proof(trainee, volunteer_academy)
    client.force_login(school_admin)

    response = client.get(reverse("issued_certificates:inspect", args=[proof.pk]))

    assert response.status_code == 200
    assert "志愿服务记录证明" in response.content.decode()
    listing = client.get(reverse("issued_certificates:index"))
    assert listing.status_code == 200 and proof.number in listing.content.decode()
