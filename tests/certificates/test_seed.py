"""seed_demo's certificates: a seal and a template for each school, certificates for
the demo trainees who completed a course, and a second run that adds nothing."""

from django.core.management import call_command

import pytest

from certificates.models import Certificate, CertificateTemplate
from courses.models import Enrollment
from school.models import SchoolPage

pytestmark = pytest.mark.django_db

DEMO_TRAINEE = "13800000004"


def test_seed_demo_issues_the_demo_certificates_once():
    call_command("seed_demo", trainees=40, stdout=None)

    for school in SchoolPage.objects.all():
        assert school.seal_image is not None
        template = CertificateTemplate.objects.get(school=school)
        assert template.latest_revision_id is not None
    completed = Enrollment.objects.filter(status=Enrollment.Status.COMPLETED)
    assert completed.exists()
    # One certificate of completion per completed enrolment (the ladder's demo adds
    # letters of appointment, another kind).
    completions = Certificate.objects.of_kind(Certificate.Kind.COMPLETION)
    assert completions.count() == completed.count()
    demo_certificate = completions.get(holder__phone=DEMO_TRAINEE)
    assert demo_certificate.snapshot["course_title"] == "公益理念"
    assert demo_certificate.number.startswith("ZYXY-")

    numbers = set(Certificate.objects.values_list("number", flat=True))
    call_command("seed_demo", trainees=40, stdout=None)
    assert set(Certificate.objects.values_list("number", flat=True)) == numbers
    assert CertificateTemplate.objects.count() == 2
