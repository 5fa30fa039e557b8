"""Reads for certificates: which template applies, a course's school, what a
holder or the public may see."""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from certificates.models import Certificate, CertificateTemplate
from courses.models import CoursePage, Enrollment, TrainingClass
from school.models import SchoolPage


def school_of(course: CoursePage) -> SchoolPage:
    """The school whose catalogue holds the course (the nearest SchoolPage above)."""
    return SchoolPage.objects.ancestor_of(course).order_by("-depth").first()


def templates_for(course: CoursePage, school: SchoolPage | None = None) -> QuerySet:
    """The active templates that may be used for a course: its school's, for its tier
    or for every tier, tier-specific first."""
    school = school or school_of(course)
    return (
        CertificateTemplate.objects.filter(school=school, is_active=True)
        .filter(Q(tier=course.tier) | Q(tier=""))
        .annotate(
            specific=Case(
                When(tier=course.tier, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("specific", "-updated_at", "-pk")
    )


def default_template_for(course: CoursePage) -> CertificateTemplate | None:
    """The template an automatic issue uses, or None when the school has none."""
    return templates_for(course).first()


def certificates_of(user) -> QuerySet:
    """我的证书: the holder's certificates, newest first."""
    return Certificate.objects.for_holder(user).select_related("school")


def completed_enrollments(training_class: TrainingClass) -> QuerySet:
    """The class's completed enrolments, with their trainees, in name order."""
    return (
        Enrollment.objects.filter(
            training_class=training_class, status=Enrollment.Status.COMPLETED
        )
        .select_related("trainee__org_unit")
        .order_by("trainee__real_name", "pk")
    )


def class_certificates(training_class: TrainingClass) -> QuerySet:
    return Certificate.objects.filter(
        enrollment__training_class=training_class
    ).order_by("number")


def batch_done(batch) -> int:
    """How many of an issuing batch's certificates exist with their PDF."""
    return (
        Certificate.objects.filter(
            template=batch.template_id, enrollment_id__in=batch.enrollment_ids
        )
        .exclude(pdf="")
        .count()
    )
