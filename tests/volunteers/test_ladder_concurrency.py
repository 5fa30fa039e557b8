"""Automatic promotion under real concurrency, on file-backed SQLite and
PostgreSQL: two signals' rule checks and the nightly job racing promote a person
exactly once (one Promotion, one LevelEvent), in threads and in processes; a
revocation flags a level once however many flags race."""

from django.utils import timezone

import pytest

from certificates import services as certificate_services
from certificates.models import Certificate
from courses.models import Tier
from school.models import Level
from tests.certificates.factories import completed_enrollment
from tests.concurrency import run_all_concurrently, run_in_processes
from tests.courses.factories import CoursePageFactory, TrainingClassFactory
from volunteers import ladder
from volunteers.models import LevelEvent, LevelReview, LevelRule, Promotion

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def qualified(trainee, course_index, certificate_template):
    """The trainee holds a basic certificate but is still a resident: issued
    while the volunteer rule was switched off, then switched back on."""
    LevelRule.objects.filter(level=Level.VOLUNTEER).update(is_active=False)
    course = CoursePageFactory(parent=course_index, tier=Tier.BASIC)
    enrollment = completed_enrollment(TrainingClassFactory(course=course), trainee)
    certificate = certificate_services.issue_certificate(
        enrollment, template=certificate_template, deliver=False
    )
    LevelRule.objects.filter(level=Level.VOLUNTEER).update(is_active=True)
    trainee.refresh_from_db()
    assert trainee.level == Level.RESIDENT
    trainee.basis = certificate
    return trainee


def assert_promoted_once(person):
    person.refresh_from_db()
    assert person.level == Level.VOLUNTEER
    assert Promotion.objects.filter(person=person).count() == 1
    assert LevelEvent.objects.filter(person=person).count() == 1


def test_two_signals_and_the_nightly_job_racing_promote_once_in_threads(qualified):
    outcomes = run_all_concurrently(
        [
            lambda: ladder.evaluate_person(qualified.pk),
            lambda: ladder.evaluate_person(qualified.pk),
            lambda: ladder.evaluate_everyone(),
            lambda: ladder.evaluate_everyone(),
        ]
    )

    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert_promoted_once(qualified)


def test_checks_racing_in_separate_processes_promote_once(qualified):
    outcomes = run_in_processes(ladder.evaluate_person, 4, qualified.pk)

    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert_promoted_once(qualified)


def test_the_nightly_job_racing_itself_in_processes_promotes_once(qualified):
    outcomes = run_in_processes(ladder.evaluate_everyone, 3)

    assert sorted(outcomes)[-1] == 1 and sum(outcomes) == 1, outcomes
    assert_promoted_once(qualified)


def test_flags_racing_for_one_revoked_certificate_open_one_review(
    qualified, school_admin
):
    ladder.evaluate_person(qualified.pk)
    LevelReview.objects.all().delete()
    Certificate.objects.filter(pk=qualified.basis.pk).update(
        status=Certificate.Status.REVOKED, revoked_at=timezone.now()
    )

    outcomes = run_all_concurrently(
        [lambda: ladder.flag_level_for(qualified.basis.pk)] * 3
    )

    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert LevelReview.objects.filter(person=qualified).count() == 1
    assert (
        LevelEvent.objects.filter(
            person=qualified, kind=LevelEvent.Kind.FLAGGED
        ).count()
        == 1
    )
