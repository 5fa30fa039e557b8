"""The ladder's rules: what the next step still needs, each requirement (tier,
named course, hours, points earned not balance, tenure), automatic promotion, a
revoked basis certificate flagging the level, and leaving a level by an
administrator's hand."""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

import pytest

from certificates import services as certificate_services
from courses.models import Tier
from school.models import Level
from tests.certificates.factories import completed_enrollment
from tests.courses.factories import CoursePageFactory, TrainingClassFactory
from volunteers import ladder, ledger
from volunteers.models import (
    LevelEvent,
    LevelReview,
    LevelRule,
    PointEntry,
    Promotion,
)


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


# --- each requirement ---------------------------------------------------------------


def test_a_basic_certificate_makes_a_resident_a_volunteer_at_once(trainee, certify):
    certify(trainee)

    made = ladder.evaluate_person(trainee)

    trainee.refresh_from_db()
    assert trainee.level == Level.VOLUNTEER
    (promotion,) = made
    assert promotion.source == Promotion.Source.AUTOMATIC
    assert promotion.status == Promotion.Status.EFFECTIVE
    assert promotion.reasons == ["持有基础通识班结业证书"]
    event = LevelEvent.objects.get(person=trainee)
    assert (event.kind, event.from_level, event.to_level) == (
        LevelEvent.Kind.PROMOTED,
        Level.RESIDENT,
        Level.VOLUNTEER,
    )
    assert event.promotion == promotion


def test_a_certificate_of_another_tier_does_not_count(trainee, certify):
    certify(trainee, Tier.SPECIALIST)

    assert ladder.evaluate_person(trainee) == []
    trainee.refresh_from_db()
    assert trainee.level == Level.RESIDENT


def test_a_revoked_or_expired_certificate_does_not_count(
    trainee, certify, school_admin
):
    revoked = certify(trainee)
    certificate_services.revoke_certificate(revoked, actor=school_admin, reason="错发")
    expired = certify(trainee)
    type(expired).objects.filter(pk=expired.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )

    assert not ladder.meets_rule(trainee, LevelRule.objects.get(level="volunteer"))


def test_a_named_course_is_required_when_the_rule_names_it(
    trainee, certify, course_index
):
    rule = LevelRule.objects.get(level=Level.VOLUNTEER)
    named = CoursePageFactory(parent=course_index, title="社区议事", tier=Tier.BASIC)
    rule.required_courses.add(named)
    certify(trainee)

    step = ladder.next_step(trainee)
    assert step.missing == ["需完成《社区议事》（获得结业证书）"]
    assert ladder.evaluate_person(trainee) == []

    certify(trainee, course=named)
    assert len(ladder.evaluate_person(trainee)) == 1


def test_talent_needs_twenty_approved_hours_besides_a_specialist_certificate(
    trainee, certify
):
    certify(trainee)
    certify(trainee, Tier.SPECIALIST)
    credit(trainee, points=50, hours="19.5")

    ladder.evaluate_person(trainee)
    trainee.refresh_from_db()
    assert trainee.level == Level.VOLUNTEER
    assert ladder.next_step(trainee).missing == ["还差 0.5 小时服务"]

    credit(trainee, hours="0.5")
    ladder.evaluate_person(trainee)
    trainee.refresh_from_db()
    assert trainee.level == Level.TALENT


def test_points_earned_count_not_the_balance(trainee, certify):
    rule = LevelRule.objects.get(level=Level.VOLUNTEER)
    rule.min_points_earned = 100
    rule.save()
    certify(trainee)
    credit(trainee, points=60)
    assert ladder.next_step(trainee).missing == ["还差 40 积分（累计获得）"]

    credit(trainee, points=40)
    spend(trainee, 90)

    assert ladder.meets_rule(trainee, rule)


def test_tenure_counts_from_the_latest_move_into_the_level(trainee, certify):
    rule = LevelRule.objects.get(level=Level.TALENT)
    rule.min_months_at_previous = 3
    rule.save()
    certify(trainee, Tier.SPECIALIST)
    credit(trainee, hours="20")
    set_level(trainee, Level.VOLUNTEER, days_ago=60)

    assert ladder.next_step(trainee).missing == ["需在志愿者等级满 3 个月"]
    assert ladder.evaluate_person(trainee) == []

    LevelEvent.objects.filter(person=trainee).update(
        created_at=timezone.now() - timedelta(days=95)
    )
    assert len(ladder.evaluate_person(trainee)) == 1


def test_tenure_at_the_first_level_counts_from_joining(trainee, certify):
    rule = LevelRule.objects.get(level=Level.VOLUNTEER)
    rule.min_months_at_previous = 1
    rule.save()
    certify(trainee)
    assert not ladder.meets_rule(trainee, rule)

    type(trainee).objects.filter(pk=trainee.pk).update(
        date_joined=timezone.now() - timedelta(days=40)
    )
    trainee.refresh_from_db()
    assert ladder.meets_rule(trainee, rule)


def test_a_person_climbs_every_automatic_step_they_meet_and_stops_at_review(
    trainee, certify
):
    certify(trainee)
    certify(trainee, Tier.SPECIALIST)
    certify(trainee, Tier.LEADERSHIP)
    credit(trainee, hours="20")

    made = ladder.evaluate_person(trainee)

    assert [p.to_level for p in made] == [Level.VOLUNTEER, Level.TALENT]
    trainee.refresh_from_db()
    assert trainee.level == Level.TALENT
    assert not Promotion.objects.filter(to_level=Level.MANAGER).exists()


def test_a_switched_off_rule_promotes_nobody(trainee, certify):
    LevelRule.objects.filter(level=Level.VOLUNTEER).update(is_active=False)
    certify(trainee)

    assert ladder.evaluate_person(trainee) == []
    assert ladder.next_step(trainee) is None


def test_the_nightly_check_promotes_only_those_who_qualify(
    trainee, other_trainee, certify
):
    certify(trainee)
    certify(other_trainee, Tier.SPECIALIST)

    assert ladder.evaluate_everyone() == 1
    assert ladder.evaluate_everyone() == 0
    trainee.refresh_from_db()
    other_trainee.refresh_from_db()
    assert (trainee.level, other_trainee.level) == (Level.VOLUNTEER, Level.RESIDENT)


def test_the_nightly_check_respects_tenure_and_points_like_the_single_check(
    trainee, other_trainee, certify
):
    rule = LevelRule.objects.get(level=Level.VOLUNTEER)
    rule.min_months_at_previous = 1
    rule.min_points_earned = 10
    rule.save()
    for person in (trainee, other_trainee):
        certify(person)
        credit(person, points=10)
    type(trainee).objects.filter(pk=trainee.pk).update(
        date_joined=timezone.now() - timedelta(days=40)
    )

    assert ladder.evaluate_everyone() == 1
    trainee.refresh_from_db()
    assert trainee.level == Level.VOLUNTEER


# --- signals ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_issued_certificate_promotes_its_holder_after_commit(trainee, certify):
    certify(trainee)

    trainee.refresh_from_db()
    assert trainee.level == Level.VOLUNTEER
    assert Promotion.objects.filter(person=trainee).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_approved_service_record_promotes_after_commit(
    trainee, certify, coordinator, elderly_item
):
    from volunteers import services

    certify(trainee)
    certify(trainee, Tier.SPECIALIST)
    record = services.log_service(
        trainee,
        item=elderly_item,
        served_on=timezone.localdate(),
        hours=Decimal("20"),
        place="桃园社区",
        description="陪伴老人",
        actor=trainee,
    )

    services.approve_service_record(record, actor=coordinator)

    trainee.refresh_from_db()
    assert trainee.level == Level.TALENT


@pytest.mark.django_db(transaction=True)
def test_a_revoked_basis_certificate_flags_the_level_without_demoting(
    trainee, certify, school_admin
):
    basis = certify(trainee)
    trainee.refresh_from_db()
    assert trainee.level == Level.VOLUNTEER

    certificate_services.revoke_certificate(basis, actor=school_admin, reason="作弊")

    trainee.refresh_from_db()
    assert trainee.level == Level.VOLUNTEER
    review = LevelReview.objects.get(person=trainee)
    assert (review.level, review.certificate, review.resolved_at) == (
        Level.VOLUNTEER,
        basis,
        None,
    )
    assert LevelEvent.objects.filter(
        person=trainee, kind=LevelEvent.Kind.FLAGGED
    ).exists()


# --- flags and leaving a level ------------------------------------------------------


def test_a_second_valid_certificate_of_the_tier_means_no_flag(
    trainee, certify, school_admin
):
    basis = certify(trainee)
    certify(trainee)
    ladder.evaluate_person(trainee)
    certificate_services.revoke_certificate(basis, actor=school_admin, reason="错发")

    assert ladder.flag_level_for(basis.pk) is None
    assert not LevelReview.objects.exists()


def test_a_revoked_certificate_no_level_rests_on_means_no_flag(
    trainee, certify, school_admin
):
    certify(trainee)
    ladder.evaluate_person(trainee)
    extra = certify(trainee, Tier.LEADERSHIP)
    certificate_services.revoke_certificate(extra, actor=school_admin, reason="错发")

    assert ladder.flag_level_for(extra.pk) is None


def test_a_level_is_flagged_once_per_certificate(trainee, certify, school_admin):
    basis = certify(trainee)
    ladder.evaluate_person(trainee)
    certificate_services.revoke_certificate(basis, actor=school_admin, reason="错发")

    assert ladder.flag_level_for(basis.pk) is not None
    assert ladder.flag_level_for(basis.pk) is None
    assert LevelReview.objects.count() == 1


def test_a_higher_level_resting_on_a_lower_steps_certificate_is_flagged(
    trainee, certify, school_admin
):
    basis = certify(trainee)
    certify(trainee, Tier.SPECIALIST)
    credit(trainee, hours="20")
    ladder.evaluate_person(trainee)
    certificate_services.revoke_certificate(basis, actor=school_admin, reason="错发")

    review = ladder.flag_level_for(basis.pk)

    assert review.level == Level.TALENT


@pytest.fixture
def flagged(trainee, certify, school_admin):
    basis = certify(trainee)
    ladder.evaluate_person(trainee)
    certificate_services.revoke_certificate(basis, actor=school_admin, reason="错发")
    trainee.refresh_from_db()
    return ladder.flag_level_for(basis.pk)


def test_an_administrator_keeps_a_flagged_level(flagged, trainee, school_admin):
    ladder.keep_level(flagged, actor=school_admin, note="已补考通过")

    flagged.refresh_from_db()
    trainee.refresh_from_db()
    assert flagged.resolved_by == school_admin
    assert trainee.level == Level.VOLUNTEER
    assert LevelEvent.objects.filter(
        person=trainee, kind=LevelEvent.Kind.CLEARED, note="已补考通过"
    ).exists()
    with pytest.raises(ValidationError):
        ladder.keep_level(flagged, actor=school_admin)


def test_an_administrator_demotes_from_a_review_with_a_reason(
    flagged, trainee, school_admin
):
    with pytest.raises(ValidationError):
        ladder.demote_from_review(
            flagged, to_level=Level.RESIDENT, actor=school_admin, reason=" "
        )

    ladder.demote_from_review(
        flagged, to_level=Level.RESIDENT, actor=school_admin, reason="证书撤销"
    )

    trainee.refresh_from_db()
    flagged.refresh_from_db()
    assert trainee.level == Level.RESIDENT
    assert flagged.resolved_at is not None
    event = LevelEvent.objects.filter(person=trainee).latest("created_at", "pk")
    assert (event.kind, event.actor, event.note) == (
        LevelEvent.Kind.DEMOTED,
        school_admin,
        "证书撤销",
    )


def test_only_administrators_retire_demote_or_resolve(
    flagged, trainee, other_trainee, coordinator
):
    for someone in (trainee, other_trainee, coordinator):
        with pytest.raises(PermissionDenied):
            ladder.keep_level(flagged, actor=someone)
        with pytest.raises(PermissionDenied):
            ladder.demote_from_review(
                flagged, to_level=Level.RESIDENT, actor=someone, reason="x"
            )
        with pytest.raises(PermissionDenied):
            ladder.retire(trainee, actor=someone, reason="x")
        with pytest.raises(PermissionDenied):
            ladder.demote(trainee, to_level=Level.RESIDENT, actor=someone, reason="x")
    trainee.refresh_from_db()
    assert trainee.level == Level.VOLUNTEER


def test_retiring_makes_a_volunteer_a_resident_again(trainee, school_admin, certify):
    certify(trainee)
    certify(trainee, Tier.SPECIALIST)
    credit(trainee, hours="20")
    ladder.evaluate_person(trainee)
    trainee.refresh_from_db()

    ladder.retire(trainee, actor=school_admin, reason="本人申请退出")

    trainee.refresh_from_db()
    assert trainee.level == Level.RESIDENT
    event = LevelEvent.objects.filter(person=trainee).latest("created_at", "pk")
    assert (event.kind, event.from_level, event.note) == (
        LevelEvent.Kind.RETIRED,
        Level.TALENT,
        "本人申请退出",
    )
    with pytest.raises(ValidationError):
        ladder.retire(trainee, actor=school_admin, reason="再次")


def test_demotion_goes_only_down_and_withdraws_open_promotions(trainee, school_admin):
    set_level(trainee, Level.VOLUNTEER)
    set_level(trainee, Level.TALENT)
    Promotion.objects.create(
        person=trainee,
        from_level=Level.TALENT,
        to_level=Level.MANAGER,
        status=Promotion.Status.PENDING_REVIEW,
        source=Promotion.Source.APPLICATION,
    )
    with pytest.raises(ValidationError):
        ladder.demote(trainee, to_level=Level.MANAGER, actor=school_admin, reason="x")

    ladder.demote(trainee, to_level=Level.VOLUNTEER, actor=school_admin, reason="失联")

    trainee.refresh_from_db()
    assert trainee.level == Level.VOLUNTEER
    assert not Promotion.objects.open().exists()


@pytest.mark.django_db(transaction=True)
def test_a_bulk_issue_promotes_its_holders_with_one_ladder_job_per_chunk(
    course_index, certificate_template, school_admin, monkeypatch
):
    """A class's thousand certificates are announced a chunk at a time: one ladder
    job checks the chunk's holders, not one job per certificate."""
    from tests.factories import UserFactory
    from volunteers import tasks

    training_class = TrainingClassFactory(
        course=CoursePageFactory(parent=course_index, tier=Tier.BASIC), capacity=5
    )
    people = [UserFactory() for _ in range(3)]
    enrollments = [completed_enrollment(training_class, person) for person in people]
    one_by_one, chunks = [], []
    check_chunk = tasks.evaluate_people_task
    monkeypatch.setattr(tasks, "evaluate_person_task", one_by_one.append)
    monkeypatch.setattr(
        tasks,
        "evaluate_people_task",
        lambda ids: chunks.append(ids) or check_chunk(ids),
    )

    certificate_services.start_bulk_issue(
        training_class,
        template=certificate_template,
        enrollment_ids=[e.pk for e in enrollments],
        actor=school_admin,
    )

    assert chunks == [sorted(person.pk for person in people)]
    assert one_by_one == []
    assert Promotion.objects.filter(person__in=people).count() == 3
    for person in people:
        person.refresh_from_db()
        assert person.level == Level.VOLUNTEER


def test_the_chunk_check_promotes_only_those_of_the_chunk_who_qualify(
    trainee, other_trainee, certify
):
    certify(trainee)
    certify(other_trainee)

    assert ladder.evaluate_people([other_trainee.pk]) == 1
    assert ladder.evaluate_people([other_trainee.pk]) == 0
    trainee.refresh_from_db()
    other_trainee.refresh_from_db()
    assert (trainee.level, other_trainee.level) == (Level.RESIDENT, Level.VOLUNTEER)
