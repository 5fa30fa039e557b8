"""Revocation and reinstatement: a reason each time, an event each time, and the
certificate row is never deleted."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.utils import timezone

import pytest

from certificates import services
from certificates.models import Certificate, CertificateEvent

pytestmark = pytest.mark.django_db
Kind = CertificateEvent.Kind


def test_a_revoked_certificate_stands_revoked_with_its_reason(
    certificate, school_admin
):
    services.revoke_certificate(certificate, actor=school_admin, reason="信息有误")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.standing() == Certificate.Standing.REVOKED
    assert certificate.revoked_reason == "信息有误"
    event = certificate.events.get(kind=Kind.REVOKED)
    assert (event.actor, event.note) == (school_admin, "信息有误")


def test_revoking_needs_a_reason_and_changes_nothing_without_one(
    certificate, school_admin
):
    with pytest.raises(ValidationError, match="撤销原因"):
        services.revoke_certificate(certificate, actor=school_admin, reason="  ")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID
    assert not certificate.events.filter(kind=Kind.REVOKED).exists()


def test_revoking_twice_is_refused(certificate, school_admin):
    services.revoke_certificate(certificate, actor=school_admin, reason="信息有误")
    with pytest.raises(ValidationError, match="已被撤销"):
        services.revoke_certificate(certificate, actor=school_admin, reason="再次")
    assert certificate.events.filter(kind=Kind.REVOKED).count() == 1


def test_reinstating_restores_validity_and_keeps_both_events(certificate, school_admin):
    services.revoke_certificate(certificate, actor=school_admin, reason="信息有误")
    services.reinstate_certificate(certificate, actor=school_admin, reason="核实无误")
    certificate.refresh_from_db()
    assert certificate.standing() == Certificate.Standing.VALID
    assert certificate.revoked_at is None
    assert list(certificate.events.values_list("kind", flat=True)) == [
        Kind.ISSUED,
        Kind.REVOKED,
        Kind.REINSTATED,
    ]
    with pytest.raises(ValidationError, match="未被撤销"):
        services.reinstate_certificate(certificate, actor=school_admin, reason="再次")


def test_the_code_and_number_never_change(certificate, school_admin):
    code, number = certificate.code, certificate.number
    services.revoke_certificate(certificate, actor=school_admin, reason="信息有误")
    services.reinstate_certificate(certificate, actor=school_admin, reason="核实无误")
    certificate.refresh_from_db()
    assert (certificate.code, certificate.number) == (code, number)


def test_certificates_cannot_be_deleted_with_what_they_certify(certificate):
    with pytest.raises(ProtectedError):
        certificate.enrollment.delete()
    with pytest.raises(ProtectedError):
        certificate.template.delete()
    assert Certificate.objects.filter(pk=certificate.pk).exists()


def test_an_expired_certificate_stands_expired(certificate):
    yesterday = timezone.localdate() - timedelta(days=1)
    Certificate.objects.filter(pk=certificate.pk).update(valid_until=yesterday)
    certificate.refresh_from_db()
    assert certificate.standing() == Certificate.Standing.EXPIRED
    assert certificate.days_left() == -1
