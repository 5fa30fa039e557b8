"""The ladder's rules: what the next step still needs, each requirement (tier,
named course, hours, points earned not balance, tenure), automatic promotion, a
revoked basis certificate flagging the level, and leaving a level by an
administrator's hand."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

import pytest

from certificates import services as certificate_services
from courses.models import Tier
from school.models import Level
from tests.certificates.factories import completed_enrollment
from tests.courses.factories import CoursePageFactory, TrainingClassFactory
from volunteers import ladder, ledger
from volunteers.models import LevelEvent, PointEntry


@pytest.fixture
def certify(course_index, certificate_template):
    """certify(person, tier) issues a completion of a new course of that tier."""

    def issue(person, tier=Tier.BASIC, *, course=None):
        course = course or CoursePageFactory(parent=course_index, tier=tier)
        enrollment = completed_enrollment(TrainingClassFactory(course=course), person)
        return certificate_services.issue_certificate(
            enrollment, template=certificate_template, deliver=False
        )

    return issue


def credit(person, *, points=0, hours="0"):
    with transaction.atomic():
        ledger.append_entry(
            person, kind=PointEntry.Kind.SERVICE, amount=points, hours=Decimal(hours)
        )


def spend(person, points):
    with transaction.atomic():
        ledger.append_entry(person, kind=PointEntry.Kind.REDEMPTION, amount=-points)


def set_level(person, level, *, days_ago=0):
    """Put the person at `level` as a promotion `days_ago` days ago would."""
    with transaction.atomic():
        event = ladder.change_level(
            person,
            from_level=person.level,
            to_level=level,
            kind=LevelEvent.Kind.PROMOTED,
            actor=None,
        )
    LevelEvent.objects.filter(pk=event.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )


def test_a_resident_without_a_certificate_needs_a_basic_course_for_volunteer(
    trainee,
):
    step = ladder.next_step(trainee)

    assert step.level == Level.VOLUNTEER
    assert not step.qualified
    assert step.automatic
    assert step.missing == ["需完成基础通识班（获得结业证书）"]


def test_the_next_step_is_read_in_a_constant_number_of_queries(
    trainee, certify, django_assert_max_num_queries
):
    certify(trainee)
    certify(trainee, Tier.SPECIALIST)
    set_level(trainee, Level.VOLUNTEER)
    credit(trainee, points=10, hours="8")

    with django_assert_max_num_queries(5):
        step = ladder.next_step(trainee)

    assert step.level == Level.TALENT
    assert step.missing == ["还差 12 小时服务"]


def test_a_manager_has_no_next_step(trainee):
    set_level(trainee, Level.VOLUNTEER)
    set_level(trainee, Level.TALENT)
    set_level(trainee, Level.MANAGER)

    assert ladder.next_step(trainee) is None


def test_the_step_to_manager_says_it_needs_an_application_and_review(trainee, certify):
    set_level(trainee, Level.VOLUNTEER)
    set_level(trainee, Level.TALENT)

    step = ladder.next_step(trainee)

    assert not step.automatic
    assert step.missing == ["需完成领导力提升班（获得结业证书）", "需本人申请并经审核"]
    certify(trainee, Tier.LEADERSHIP)
    step = ladder.next_step(trainee)
    assert step.qualified
    assert step.missing == ["需本人申请并经审核"]
