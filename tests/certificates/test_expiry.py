"""Expiry reminders at 60, 30 and 7 days before a certificate expires, each sent
once, never for revoked or already expired certificates."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

import pytest
from django_q.models import Schedule

from certificates import services
from certificates.models import Certificate, CertificateEvent

pytestmark = pytest.mark.django_db
Kind = CertificateEvent.Kind


@pytest.fixture
def expiring(certificate, trainee):
    trainee.email = "zhang@example.com"
    trainee.save()

    def expire_in(days: int) -> Certificate:
        Certificate.objects.filter(pk=certificate.pk).update(
            valid_until=timezone.localdate() + timedelta(days=days)
        )
        certificate.refresh_from_db()
        return certificate

    return expire_in


def _reminders(certificate) -> list[str]:
    return list(
        certificate.events.filter(kind__startswith="reminded").values_list(
            "kind", flat=True
        )
    )


def test_each_reminder_is_sent_once_as_the_expiry_draws_near(expiring):
    today = timezone.localdate()
    certificate = expiring(90)
    assert services.send_expiry_reminders(today) == 0

    sent_on = {}
    for day_offset in range(91):
        day = today + timedelta(days=day_offset)
        if services.send_expiry_reminders(day):
            sent_on[day_offset] = _reminders(certificate)[-1]
    # 60, 30 and 7 days before expiry, once each, whatever runs in between.
    assert sent_on == {30: Kind.REMINDED_60, 60: Kind.REMINDED_30, 83: Kind.REMINDED_7}
    assert len(mail.outbox) == 3
    assert "到期" in mail.outbox[0].subject
    assert certificate.verification_url in mail.outbox[0].body


def test_a_late_run_sends_only_the_tightest_reminder_due(expiring):
    certificate = expiring(20)
    assert services.send_expiry_reminders() == 1
    assert _reminders(certificate) == [Kind.REMINDED_30]
    assert services.send_expiry_reminders() == 0


def test_revoked_and_expired_certificates_get_no_reminder(expiring, school_admin):
    certificate = expiring(-1)
    assert services.send_expiry_reminders() == 0
    certificate = expiring(5)
    services.revoke_certificate(certificate, actor=school_admin, reason="信息有误")
    assert services.send_expiry_reminders() == 0
    assert mail.outbox == []


def test_certificates_without_expiry_are_never_reminded(certificate):
    assert certificate.valid_until is None
    assert services.send_expiry_reminders() == 0


def test_a_holder_without_email_is_still_reminded_on_the_site(expiring, trainee):
    trainee.email = ""
    trainee.save()
    certificate = expiring(7)
    assert services.send_expiry_reminders() == 1
    assert _reminders(certificate) == [Kind.REMINDED_7]
    assert mail.outbox == []


def test_the_reminders_run_daily_on_the_worker_schedule():
    schedule = Schedule.objects.get(
        func="certificates.tasks.send_expiry_reminders_task"
    )
    assert schedule.schedule_type == Schedule.DAILY
    assert schedule.repeats == -1
