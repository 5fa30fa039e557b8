"""Certificates in the 消息中心: one notification per certificate however often
its delivery job runs, with its number, verification link and PDF; the e-mail
stays the certificate's own, sent once."""

from django.core import mail
from django.urls import reverse

import pytest

from certificates import services
from certificates.models import Certificate
from certificates.tasks import deliver_certificate_task, issue_batch_chunk_task
from school.models import Notification
from tests.certificates.test_document_kinds import issue_proof

pytestmark = pytest.mark.django_db


def test_issuing_and_delivering_twice_notifies_once_with_the_pdf_and_verify_link(
    certificate, trainee
):
    trainee.email = "zhang@example.com"
    trainee.save(update_fields=["email"])
    deliver_certificate_task(certificate.pk)
    deliver_certificate_task(certificate.pk)
    [notification] = Notification.objects.filter(recipient=trainee)
    certificate.refresh_from_db()
    assert notification.kind == Notification.Kind.CERTIFICATE
    assert notification.key == f"certificate-{certificate.pk}"
    assert certificate.snapshot["course_title"] in notification.title
    assert certificate.number in notification.body
    assert certificate.verification_url in notification.body
    assert notification.url == reverse("certificates:pdf", args=[certificate.pk])
    assert [m.to for m in mail.outbox] == [["zhang@example.com"]]


def test_a_holder_without_an_email_address_is_told_on_the_site(certificate, trainee):
    services.deliver_certificate(certificate)
    assert Notification.objects.filter(recipient=trainee).count() == 1
    assert not mail.outbox


def test_an_issued_document_is_in_the_holders_notifications_once(
    trainee, volunteer_academy
):
    proof = issue_proof(trainee, volunteer_academy)
    services.notify_holder(proof)
    [notification] = Notification.objects.filter(recipient=trainee)
    assert proof.get_kind_display() in notification.title
    # Linked to its PDF, whose page waits while the worker renders it.
    assert notification.url == reverse("certificates:pdf", args=[proof.pk])
    assert proof.kind != Certificate.Kind.COMPLETION


def test_a_bulk_issue_tells_each_holder_once_with_the_pdf(
    training_class,
    enrollment,
    other_enrollment,
    certificate_template,
    school_admin,
    django_capture_on_commit_callbacks,
):
    ids = [enrollment.pk, other_enrollment.pk]
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.start_bulk_issue(
            training_class,
            template=certificate_template,
            enrollment_ids=ids,
            actor=school_admin,
        )
    issue_batch_chunk_task(batch.pk, ids)  # the chunk ran twice

    for certificate in Certificate.objects.filter(enrollment_id__in=ids):
        [notification] = Notification.objects.filter(
            recipient=certificate.holder, kind=Notification.Kind.CERTIFICATE
        )
        assert notification.key == f"certificate-{certificate.pk}"
        assert notification.url == reverse("certificates:pdf", args=[certificate.pk])
    assert not mail.outbox
