"""A bulk issue whose worker was lost (killed mid-chunk, or its task dropped by a
broker that hands lost tasks to nobody) is picked up again by the sweep: only the
missing certificates are made, each once, and a batch still moving is left
alone."""

from datetime import timedelta

from django.utils import timezone

import pytest

from certificates import services
from certificates.models import Certificate, CertificateBatch
from tests.certificates.factories import completed_enrollment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
Status = CertificateBatch.Status


@pytest.fixture
def enrollments(training_class, grid):
    return [
        completed_enrollment(training_class, UserFactory(org_unit=grid))
        for _ in range(3)
    ]


def lost_batch(training_class, certificate_template, enrollments, school_admin):
    """A batch whose chunk task never ran: queued ten minutes ago, nothing made."""
    return CertificateBatch.objects.create(
        kind=CertificateBatch.Kind.ISSUE,
        training_class=training_class,
        template=certificate_template,
        requested_by=school_admin,
        enrollment_ids=[e.pk for e in enrollments],
        total=len(enrollments),
        status=Status.RUNNING,
        created_at=timezone.now() - timedelta(minutes=10),
    )


def test_a_stalled_batch_is_finished_once(
    training_class, certificate_template, enrollments, school_admin
):
    batch = lost_batch(training_class, certificate_template, enrollments, school_admin)
    # One certificate was issued before the worker died, its PDF never rendered.
    first = services.issue_certificate(
        enrollments[0], template=certificate_template, deliver=False
    )
    Certificate.objects.filter(pk=first.pk).update(
        issued_at=timezone.now() - timedelta(minutes=9)
    )

    assert services.resume_stalled_batches() == 1

    batch.refresh_from_db()
    assert batch.status == Status.FINISHED and (batch.done, batch.failed) == (3, 0)
    certificates = Certificate.objects.filter(template=certificate_template)
    assert certificates.count() == 3
    assert all(c.pdf for c in certificates)
    assert services.resume_stalled_batches() == 0
    assert certificates.count() == 3


def test_a_batch_still_moving_is_left_alone(
    training_class, certificate_template, enrollments, school_admin
):
    batch = lost_batch(training_class, certificate_template, enrollments, school_admin)
    services.issue_certificate(
        enrollments[0], template=certificate_template, deliver=False
    )  # issued just now: a worker is on it

    assert services.resume_stalled_batches() == 0
    batch.refresh_from_db()
    assert batch.status == Status.RUNNING and batch.resumed_at is None


def test_a_resumed_batch_is_not_queued_again_while_it_waits(
    training_class, certificate_template, enrollments, school_admin, settings
):
    batch = lost_batch(training_class, certificate_template, enrollments, school_admin)
    from django_q.conf import Conf

    sync, Conf.SYNC = Conf.SYNC, False
    try:
        assert services.resume_stalled_batches() == 1  # queued, not yet run
        assert services.resume_stalled_batches() == 0
    finally:
        Conf.SYNC = sync
    batch.refresh_from_db()
    assert batch.resumed_at is not None
    later = timezone.now() + timedelta(seconds=settings.Q_TIMEOUT + 61)
    assert services.resume_stalled_batches(now=later) == 1
