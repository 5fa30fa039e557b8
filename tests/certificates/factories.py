from datetime import timedelta

from django.db.models import F
from django.utils import timezone

import factory
from factory.django import DjangoModelFactory

from certificates.models import CertificateTemplate
from courses.models import Enrollment, EnrollmentEvent


class CertificateTemplateFactory(DjangoModelFactory):
    class Meta:
        model = CertificateTemplate
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"结业证书模板{n}")
    heading = "结业证书"
    signatories = factory.LazyFunction(
        lambda: [
            {"type": "signatory", "value": {"name": "王建国", "title": "校长"}},
        ]
    )

    @factory.post_generation
    def revision(obj, create, extracted, **kwargs):
        """As the admin leaves a template: with its first revision."""
        if create:
            obj.save_revision()


def completed_enrollment(training_class, trainee) -> Enrollment:
    """An enrolment as courses.services leaves a completed one: a seat, a completion
    date and the completion event. Enrolled a week ago, completed now."""
    now = timezone.now()
    enrollment = Enrollment.objects.create(
        training_class=training_class,
        trainee=trainee,
        status=Enrollment.Status.COMPLETED,
        created_at=now - timedelta(days=7),
        completed_at=now,
    )
    type(training_class).objects.filter(pk=training_class.pk).update(
        seats_taken=F("seats_taken") + 1
    )
    EnrollmentEvent.objects.create(
        enrollment=enrollment, kind=EnrollmentEvent.Kind.COMPLETED, created_at=now
    )
    return enrollment
