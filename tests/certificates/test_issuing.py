"""Issuing: the frozen snapshot, idempotence, numbering, the automatic issue on
completion, manual issue, validity, and what is refused."""

from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from wagtail.models import ReferenceIndex

import pytest

from certificates import numbering, services, snapshots
from certificates.models import Certificate, CertificateEvent, NumberSequence
from courses import services as course_services
from courses.models import Enrollment, Tier
from tests.certificates.factories import (
    CertificateTemplateFactory,
    completed_enrollment,
)
from tests.courses.factories import (
    CourseIndexPageFactory,
    CoursePageFactory,
    LessonPageFactory,
    TrainingClassFactory,
)

pytestmark = pytest.mark.django_db


def test_issuing_freezes_everything_the_certificate_prints(
    certificate, trainee, training_class
):
    snapshot = certificate.snapshot
    assert snapshot["holder_name"] == trainee.real_name
    assert snapshot["course_title"] == "公益理念"
    assert snapshot["tier_label"] == "基础通识班"
    assert snapshot["class_label"] == f"第 {training_class.number} 期"
    assert snapshot["school_name"] == "测试区网格学校"
    year = timezone.localdate(certificate.issued_at).year
    assert snapshot["number"] == certificate.number == f"WGXX-{year}-JC-000001"
    assert trainee.real_name in snapshot["body"]
    assert snapshot["signatories"] == [
        {"name": "王建国", "title": "校长", "seal": None}
    ]
    assert snapshot["template_revision_id"] == certificate.template.latest_revision_id
    events = list(certificate.events.values_list("kind", flat=True))
    assert events == [CertificateEvent.Kind.ISSUED]


def test_later_edits_of_template_course_and_name_change_nothing_issued(
    certificate, certificate_template, course, trainee
):
    before = dict(certificate.snapshot)
    certificate_template.heading = "培训合格证"
    certificate_template.body = "{姓名} 参加了培训。"
    certificate_template.save()
    certificate_template.save_revision()
    course.title = "改名后的课程"
    course.save_revision().publish()
    trainee.real_name = "改名后的学员"
    trainee.save()

    certificate.refresh_from_db()
    assert certificate.snapshot == before
    assert certificate.snapshot["holder_name"] != "改名后的学员"


def test_reissuing_returns_the_existing_certificate(
    certificate, enrollment, certificate_template
):
    again = services.issue_certificate(enrollment, template=certificate_template)
    assert again.pk == certificate.pk
    assert Certificate.objects.count() == 1
    assert NumberSequence.objects.get().last == 1


def test_issuing_writes_no_row_in_wagtails_reference_index(
    enrollment, certificate_template, django_capture_on_commit_callbacks
):
    """A bulk issue of thousands writes no usage row per certificate (the
    certificates of a template are the 证书 list filtered by it)."""
    # Wagtail registers the admin's models for indexing when the admin's URLs load.
    reverse("wagtailadmin_home")
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_certificate(enrollment, template=certificate_template)

    kind = ContentType.objects.get_for_model(Certificate)
    assert Certificate.objects.get().pdf
    assert not ReferenceIndex.objects.filter(base_content_type=kind).exists()


def test_numbers_count_up_per_school_year_and_tier(
    training_class, grid, certificate_template, course_index
):
    from tests.factories import UserFactory

    first, second = (
        services.issue_certificate(
            completed_enrollment(training_class, UserFactory(org_unit=grid)),
            template=certificate_template,
            deliver=False,
        )
        for _ in range(2)
    )
    leadership = CoursePageFactory(
        parent=course_index, title="团队管理", slug="team", tier=Tier.LEADERSHIP
    )
    other_tier = services.issue_certificate(
        completed_enrollment(
            TrainingClassFactory(course=leadership), UserFactory(org_unit=grid)
        ),
        template=certificate_template,
        deliver=False,
    )
    year = timezone.localdate(first.issued_at).year
    assert [first.number, second.number, other_tier.number] == [
        f"WGXX-{year}-JC-000001",
        f"WGXX-{year}-JC-000002",
        f"WGXX-{year}-LD-000001",
    ]


def test_a_schools_certificates_carry_its_own_prefix(volunteer_academy, trainee):
    index = CourseIndexPageFactory(parent=volunteer_academy, slug="courses")
    course = CoursePageFactory(parent=index, slug="etiquette", tier=Tier.SPECIALIST)
    template = CertificateTemplateFactory(school=volunteer_academy)
    certificate = services.issue_certificate(
        completed_enrollment(TrainingClassFactory(course=course), trainee),
        template=template,
        deliver=False,
    )
    assert certificate.number.startswith("ZYXY-")
    assert "-ZX-" in certificate.number
    assert certificate.school == volunteer_academy
    assert certificate.snapshot["school_name"] == "测试街道志愿者培训学院"


@pytest.mark.django_db(transaction=True)
def test_allocating_a_number_outside_a_transaction_is_refused(grid_school):
    with pytest.raises(RuntimeError):
        numbering.allocate_number(grid_school, year=2026, tier=Tier.BASIC)


def test_verification_codes_are_long_random_and_distinct(
    certificate, other_enrollment, certificate_template
):
    other = services.issue_certificate(
        other_enrollment, template=certificate_template, deliver=False
    )
    assert certificate.code != other.code
    # token_urlsafe(12): 16 characters of 6 bits each, 96 bits of randomness.
    assert len(certificate.code) == 16
    assert certificate.verification_url.endswith(f"/verify/{certificate.code}/")
    assert certificate.verification_url.startswith("http")


def test_a_validity_period_sets_the_expiry_date(enrollment, grid_school):
    template = CertificateTemplateFactory(school=grid_school, validity_months=24)
    certificate = services.issue_certificate(
        enrollment, template=template, deliver=False
    )
    issued = timezone.localdate(certificate.issued_at)
    assert certificate.valid_until == snapshots.add_months(issued, 24)
    assert certificate.snapshot["valid_until"] == certificate.valid_until.isoformat()


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2027, 12, 31), 2, date(2028, 2, 29)),
        (date(2026, 11, 27), 14, date(2028, 1, 27)),
    ],
)
def test_adding_months_keeps_to_the_end_of_shorter_months(day, months, expected):
    assert snapshots.add_months(day, months) == expected


def test_an_unfinished_enrolment_needs_a_reason_for_a_manual_issue(
    training_class, trainee, certificate_template, school_admin
):
    enrollment = course_services.enroll_trainee(
        training_class, trainee=trainee, actor=trainee
    )
    with pytest.raises(ValidationError, match="手动签发须填写原因"):
        services.issue_certificate(enrollment, template=certificate_template)
    assert not Certificate.objects.exists()
    assert not NumberSequence.objects.exists()

    certificate = services.issue_certificate(
        enrollment,
        template=certificate_template,
        actor=school_admin,
        reason="线下补考合格",
        deliver=False,
    )
    event = certificate.events.get()
    assert event.actor == school_admin
    assert "线下补考合格" in event.note


def test_a_withdrawn_enrolment_gets_no_certificate(
    training_class, trainee, certificate_template
):
    enrollment = course_services.enroll_trainee(
        training_class, trainee=trainee, actor=trainee
    )
    course_services.withdraw_enrollment(enrollment, actor=trainee)
    with pytest.raises(ValidationError):
        services.issue_certificate(
            enrollment, template=certificate_template, reason="误操作"
        )
    assert not Certificate.objects.exists()


def test_templates_of_another_school_tier_or_inactive_are_refused(
    enrollment, volunteer_academy, grid_school
):
    for template in [
        CertificateTemplateFactory(school=volunteer_academy),
        CertificateTemplateFactory(school=grid_school, tier=Tier.LEADERSHIP),
        CertificateTemplateFactory(school=grid_school, is_active=False),
    ]:
        with pytest.raises(ValidationError):
            services.issue_certificate(enrollment, template=template)
    assert not Certificate.objects.exists()


def test_completing_a_course_issues_its_certificate_after_commit(
    course, trainee, grid_school, django_capture_on_commit_callbacks
):
    trainee.email = "zhang@example.com"
    trainee.save()
    template = CertificateTemplateFactory(school=grid_school)
    lesson = LessonPageFactory(parent=course, slug="only")
    training_class = TrainingClassFactory(course=course)
    enrollment = course_services.enroll_trainee(
        training_class, trainee=trainee, actor=trainee
    )
    with django_capture_on_commit_callbacks(execute=True):
        completed = course_services.complete_lesson(enrollment, lesson, actor=trainee)
    assert completed

    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.template == template
    assert certificate.pdf  # rendered by the (synchronous) worker
    # Completing also makes a volunteer of the trainee, which has its own e-mail.
    [message] = [m for m in mail.outbox if "结业证书已签发" in m.subject]
    assert message.to == ["zhang@example.com"]
    assert certificate.number in message.body
    assert certificate.verification_url in message.body


def test_a_school_without_templates_issues_nothing_on_completion(enrollment):
    assert services.issue_on_completion(enrollment.pk) is None
    assert not Certificate.objects.exists()


def test_the_tier_specific_template_wins_over_the_school_wide_one(
    enrollment, grid_school
):
    CertificateTemplateFactory(school=grid_school, name="通用")
    specific = CertificateTemplateFactory(
        school=grid_school, name="基础班专用", tier=Tier.BASIC
    )
    assert services.issue_on_completion(enrollment.pk).template == specific


def test_an_enrolment_not_completed_is_not_issued_on_completion(
    training_class, trainee, certificate_template
):
    enrollment = course_services.enroll_trainee(
        training_class, trainee=trainee, actor=trainee
    )
    assert enrollment.status == Enrollment.Status.ACTIVE
    assert services.issue_on_completion(enrollment.pk) is None


def test_a_prefix_taken_over_by_another_school_continues_its_count(
    certificate, volunteer_academy, grid_school, trainee
):
    grid_school.certificate_prefix = "WGXY"
    grid_school.save()
    volunteer_academy.certificate_prefix = "WGXX"  # the Grid School's old prefix
    volunteer_academy.save()
    index = CourseIndexPageFactory(parent=volunteer_academy, slug="courses")
    course = CoursePageFactory(parent=index, slug="basics", tier=Tier.BASIC)
    other = services.issue_certificate(
        completed_enrollment(TrainingClassFactory(course=course), trainee),
        template=CertificateTemplateFactory(school=volunteer_academy),
        deliver=False,
    )
    assert other.number.startswith("WGXX-")
    assert other.number != certificate.number
    assert other.number.endswith("-000002")


# The study period printed: what the trainee actually studied.


def _at_noon(day: date):
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 12))


def test_the_study_period_runs_from_a_late_enrolment_to_the_completion(
    training_class, trainee, certificate_template
):
    today = timezone.localdate()
    training_class.starts_on = today - timedelta(days=20)
    training_class.ends_on = today + timedelta(days=10)
    training_class.save()
    enrollment = completed_enrollment(training_class, trainee)
    enrolled_on, completed_on = today - timedelta(days=10), today - timedelta(days=2)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        created_at=_at_noon(enrolled_on), completed_at=_at_noon(completed_on)
    )
    enrollment.refresh_from_db()

    snapshot = services.issue_certificate(
        enrollment, template=certificate_template, deliver=False
    ).snapshot

    assert snapshot["starts_on"] == enrolled_on.isoformat()
    assert snapshot["ends_on"] == completed_on.isoformat()
    assert snapshot["ends_on_label"] == snapshots.date_label(completed_on)


def test_the_study_period_starts_with_the_class_when_enrolled_before_it(
    training_class, trainee, certificate_template
):
    today = timezone.localdate()
    training_class.starts_on = today - timedelta(days=5)
    training_class.save()
    enrollment = completed_enrollment(training_class, trainee)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        created_at=_at_noon(today - timedelta(days=30))
    )
    enrollment.refresh_from_db()

    snapshot = services.issue_certificate(
        enrollment, template=certificate_template, deliver=False
    ).snapshot

    assert snapshot["starts_on"] == training_class.starts_on.isoformat()
    assert snapshot["ends_on"] == today.isoformat()  # completed today, not ends_on
    assert training_class.ends_on > today


def test_the_study_period_never_ends_after_the_certificates_own_date():
    issued = date(2026, 3, 10)
    assert snapshots.study_period(
        class_starts_on=date(2026, 3, 1),
        enrolled_on=date(2026, 2, 20),
        completed_on=date(2026, 3, 15),
        issued_on=issued,
    ) == (date(2026, 3, 1), issued)
    # Completed by hand before the class began: one day, the completion's.
    assert snapshots.study_period(
        class_starts_on=date(2026, 4, 1),
        enrolled_on=date(2026, 3, 1),
        completed_on=date(2026, 3, 5),
        issued_on=issued,
    ) == (date(2026, 3, 5), date(2026, 3, 5))


def test_a_one_day_class_prints_one_date_in_the_body(
    training_class, trainee, certificate_template
):
    today = timezone.localdate()
    training_class.starts_on = training_class.ends_on = today
    training_class.save()
    enrollment = completed_enrollment(training_class, trainee)

    snapshot = services.issue_certificate(
        enrollment, template=certificate_template, deliver=False
    ).snapshot

    label = snapshots.date_label(today)
    assert snapshot["starts_on_label"] == snapshot["ends_on_label"] == label
    assert f"于 {label} 参加" in snapshot["body"]
    assert "至" not in snapshot["body"]
