"""When parts fail: a mail server that is down, a PDF file that went missing. The
certificates still issue, nothing is recorded as done that was not, and a retry
finishes the job."""

from django.core import mail

import pytest

from certificates import services, tasks
from certificates.models import Certificate, CertificateBatch, CertificateEvent
from tests.certificates.factories import completed_enrollment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
DOWN = "tests.certificates.mail.UnreachableMailServerBackend"
Kind = CertificateEvent.Kind


@pytest.fixture
def class_with_emails(training_class, grid):
    return [
        completed_enrollment(
            training_class, UserFactory(org_unit=grid, email=f"t{n}@example.com")
        )
        for n in range(3)
    ]


def test_a_mail_server_that_is_down_delays_the_emails_not_the_certificates(
    settings,
    training_class,
    class_with_emails,
    certificate_template,
    school_admin,
    django_capture_on_commit_callbacks,
):
    settings.EMAIL_BACKEND = DOWN
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.start_bulk_issue(
            training_class,
            template=certificate_template,
            enrollment_ids=[e.pk for e in class_with_emails],
            actor=school_admin,
        )
    batch.refresh_from_db()
    assert batch.status == CertificateBatch.Status.FINISHED
    assert (batch.done, batch.failed) == (3, 0)
    certificates = list(Certificate.objects.all())
    assert len(certificates) == 3 and all(c.pdf for c in certificates)
    # No e-mail went out, so none is recorded as sent.
    assert not CertificateEvent.objects.filter(kind=Kind.EMAILED).exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for certificate in certificates:
        for _ in range(2):  # the job retried, and once more
            tasks.email_certificate_task(certificate.pk)
    assert len(mail.outbox) == 3
    assert CertificateEvent.objects.filter(kind=Kind.EMAILED).count() == 3


def test_an_unsent_email_is_tried_again(settings, certificate, trainee):
    trainee.email = "zhang@example.com"
    trainee.save()
    certificate = Certificate.objects.select_related("holder").get(pk=certificate.pk)
    settings.EMAIL_BACKEND = DOWN
    with pytest.raises(ConnectionRefusedError):
        services.send_certificate_email(certificate)
    assert not certificate.events.filter(kind=Kind.EMAILED).exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.send_certificate_email(certificate)
    assert not services.send_certificate_email(certificate)
    assert len(mail.outbox) == 1


def test_an_unreachable_mailbox_does_not_stop_the_other_reminders(
    settings, training_class, class_with_emails, certificate_template
):
    from datetime import timedelta

    from django.utils import timezone

    for enrollment in class_with_emails:
        services.issue_certificate(
            enrollment, template=certificate_template, deliver=False
        )
    Certificate.objects.update(valid_until=timezone.localdate() + timedelta(days=7))
    settings.EMAIL_BACKEND = DOWN
    assert services.send_expiry_reminders() == 0
    assert not CertificateEvent.objects.filter(kind=Kind.REMINDED_7).exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.send_expiry_reminders() == 3
    assert len(mail.outbox) == 3


def test_a_zip_that_cannot_be_built_says_it_failed(
    training_class, certificate, school_admin, django_capture_on_commit_callbacks
):
    services.render_certificate(certificate)
    certificate.pdf.storage.delete(certificate.pdf.name)  # the file went missing
    with (
        pytest.raises(FileNotFoundError),  # the job fails, to be seen and retried
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.start_class_archive(training_class, actor=school_admin)
    batch = CertificateBatch.objects.get()
    assert batch.status == CertificateBatch.Status.FAILED
    assert batch.error
    assert not batch.archive
