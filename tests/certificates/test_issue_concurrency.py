"""Races on issuing: an administrator's double click and a retried job landing on
the same enrolment, and many certificates of one school, year and tier issued at
once. Real threads and processes on the test database (file SQLite or PostgreSQL);
the unique constraint and the sequence row's lock decide."""

import random

from django.core import mail
from django.core.files.storage import storages

import pytest

from certificates import services, tasks
from certificates.models import Certificate, CertificateEvent, NumberSequence
from tests.certificates.factories import completed_enrollment
from tests.concurrency import run_all_concurrently, run_concurrently, run_in_processes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _pdf_files() -> list[str]:
    storage = storages["private"]
    found, folders = [], ["certificates"]
    while folders:
        folder = folders.pop()
        if not storage.exists(folder):
            continue
        subfolders, files = storage.listdir(folder)
        folders += [f"{folder}/{name}" for name in subfolders]
        found += [f"{folder}/{name}" for name in files]
    return found


@pytest.fixture
def clean_private_storage():
    for name in _pdf_files():
        storages["private"].delete(name)
    yield
    for name in _pdf_files():
        storages["private"].delete(name)


def test_five_concurrent_issues_and_a_retried_job_give_one_of_everything(
    enrollment, certificate_template, trainee, clean_private_storage
):
    trainee.email = "zhang@example.com"
    trainee.save()
    mail.outbox = []

    outcomes = run_concurrently(
        services.issue_certificate, 5, enrollment, template=certificate_template
    )
    # The job the completion signal queues, run again as a retry would, and the
    # delivery job twice more.
    retried = [tasks.issue_on_completion_task(enrollment.pk) for _ in range(2)]
    for _ in range(2):
        tasks.deliver_certificate_task(retried[0])

    certificate = Certificate.objects.get()
    assert all(isinstance(o, Certificate) for o in outcomes), outcomes
    assert {o.pk for o in outcomes} == {certificate.pk} == set(retried)
    assert NumberSequence.objects.get().last == 1
    assert _pdf_files() == [certificate.pdf.name]
    assert len([m for m in mail.outbox if "结业证书已签发" in m.subject]) == 1
    kinds = sorted(certificate.events.values_list("kind", flat=True))
    assert kinds == sorted(
        [
            CertificateEvent.Kind.ISSUED,
            CertificateEvent.Kind.RENDERED,
            CertificateEvent.Kind.EMAILED,
        ]
    )


def test_numbers_are_unique_and_gapless_under_concurrent_issuing(
    training_class, grid, certificate_template
):
    enrollments = [
        completed_enrollment(training_class, UserFactory(org_unit=grid))
        for _ in range(8)
    ]
    outcomes = run_all_concurrently(
        [
            lambda e=e: services.issue_certificate(
                e, template=certificate_template, deliver=False
            )
            for e in enrollments
        ]
    )
    assert all(isinstance(o, Certificate) for o in outcomes), outcomes
    serials = sorted(int(o.number.rsplit("-", 1)[1]) for o in outcomes)
    assert serials == list(range(1, 9))
    assert NumberSequence.objects.get().last == 8


def _issue_all_in_random_order(enrollment_ids: list[int], template_id: int) -> int:
    from certificates.models import CertificateTemplate
    from courses.models import Enrollment

    template = CertificateTemplate.objects.get(pk=template_id)
    ids = list(enrollment_ids)
    random.shuffle(ids)
    for enrollment in Enrollment.objects.in_bulk(ids).values():
        services.issue_certificate(enrollment, template=template, deliver=False)
    return len(ids)


def test_processes_issuing_the_same_certificates_agree_on_one_number_each(
    training_class, grid, certificate_template
):
    """Like several workers running overlapping bulk jobs: every process tries to
    issue every certificate, in its own order."""
    ids = [
        completed_enrollment(training_class, UserFactory(org_unit=grid)).pk
        for _ in range(6)
    ]
    outcomes = run_in_processes(
        _issue_all_in_random_order, 4, ids, certificate_template.pk
    )
    assert outcomes == [6] * 4, outcomes
    numbers = list(Certificate.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 6
    assert NumberSequence.objects.get().last == 6
