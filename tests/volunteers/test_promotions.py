"""Promotions with review and public notice (公示): 社区主理人 only after an
administrator's review and the full notice period; an objection holds it and its
resolution rejects it or resumes the notice (extended by the hold); only
administrators decide, never on their own promotion; the letter of appointment
is issued once, even when two hourly jobs race, and is verifiable by its QR."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client
from django.utils import timezone

import pytest
import wagtail_factories

from certificates.models import Certificate
from certificates.rendering import render_pdf
from school import roles
from school.models import Level, User
from tests.certificates.test_rendering import decoded_qr_codes, flat, read
from tests.concurrency import run_concurrently
from tests.factories import UserFactory
from volunteers import promotions
from volunteers.models import LevelEvent, LevelRule, Objection, Promotion

pytestmark = pytest.mark.django_db

Status = Promotion.Status


@pytest.fixture
def academy(volunteer_academy):
    volunteer_academy.seal_image = wagtail_factories.ImageFactory(title="学院公章")
    volunteer_academy.save()
    return volunteer_academy


@pytest.fixture
def talent(trainee):
    """张三, a community talent (社区能人) who may become a community manager."""
    User.objects.filter(pk=trainee.pk).update(level=Level.TALENT)
    trainee.refresh_from_db()
    return trainee


@pytest.fixture
def coordinator(community):
    return UserFactory(real_name="孙协调", org_unit=community, role=roles.COORDINATOR)


@pytest.fixture
def second_admin(grid):
    return UserFactory(real_name="赵管理", org_unit=grid, role=roles.SCHOOL_ADMIN)


def pending(person, to_level=Level.MANAGER) -> Promotion:
    return Promotion.objects.create(
        person=person,
        from_level=person.level,
        to_level=to_level,
        status=Status.PENDING_REVIEW,
        source=Promotion.Source.APPLICATION,
        statement="我在社区服务三年，希望组织更多夜校活动。",
        reasons=["持有领导力提升班结业证书"],
    )


def approve(promotion, actor):
    with transaction.atomic():
        return promotions.approve_promotion(promotion, actor=actor)


@pytest.fixture
def in_notice(talent, school_admin, academy):
    return approve(pending(talent), school_admin)


def later(days: int, hours: int = 0):
    return timezone.now() + timedelta(days=days, hours=hours)


def status_of(promotion) -> str:
    promotion.refresh_from_db()
    return promotion.status


# --- review ----------------------------------------------------------------------------


def test_an_approved_manager_promotion_enters_seven_days_of_public_notice(
    talent, school_admin, academy
):
    promotion = approve(pending(talent), school_admin)

    promotion.refresh_from_db()
    assert promotion.status == Status.IN_NOTICE
    assert promotion.decided_by == school_admin
    assert promotion.notice_ends_at - promotion.notice_starts_at == timedelta(days=7)
    talent.refresh_from_db()
    assert talent.level == Level.TALENT  # nothing changes before the notice ends


def test_approve_promotion_joins_the_callers_transaction_and_rolls_back_with_it(
    talent, school_admin
):
    promotion = pending(talent)
    with pytest.raises(RuntimeError), transaction.atomic():
        promotions.approve_promotion(promotion, actor=school_admin)
        raise RuntimeError("the recruitment's use case failed")

    assert status_of(promotion) == Status.PENDING_REVIEW


def test_a_step_without_notice_days_takes_effect_on_approval(
    trainee, school_admin, academy
):
    User.objects.filter(pk=trainee.pk).update(level=Level.VOLUNTEER)
    trainee.refresh_from_db()
    promotion = approve(pending(trainee, Level.TALENT), school_admin)

    trainee.refresh_from_db()
    assert promotion.status == Status.EFFECTIVE
    assert trainee.level == Level.TALENT
    assert promotion.letter is None  # a letter only for 社区主理人


@pytest.mark.parametrize("role", [roles.TRAINEE, roles.COORDINATOR])
def test_only_administrators_approve_or_reject(talent, grid, role):
    someone = UserFactory(org_unit=grid, role=role)
    promotion = pending(talent)

    with pytest.raises(PermissionDenied):
        approve(promotion, someone)
    with pytest.raises(PermissionDenied):
        promotions.reject_promotion(promotion, actor=someone, reason="不符合")
    assert status_of(promotion) == Status.PENDING_REVIEW


def test_nobody_approves_their_own_promotion(school_admin):
    User.objects.filter(pk=school_admin.pk).update(level=Level.TALENT)
    school_admin.refresh_from_db()
    promotion = pending(school_admin)

    with pytest.raises(ValidationError, match="不能审核自己的晋级"):
        approve(promotion, school_admin)
    assert status_of(promotion) == Status.PENDING_REVIEW


def test_a_rejection_needs_a_reason_and_is_final(talent, school_admin, second_admin):
    promotion = pending(talent)
    with pytest.raises(ValidationError, match="请填写未通过的原因"):
        promotions.reject_promotion(promotion, actor=school_admin, reason=" ")

    promotions.reject_promotion(promotion, actor=school_admin, reason="服务时长不足")

    promotion.refresh_from_db()
    assert promotion.status == Status.REJECTED
    assert promotion.reject_reason == "服务时长不足"
    with pytest.raises(ValidationError, match="已被处理"):
        approve(promotion, second_admin)


def test_two_administrators_approving_at_once_move_it_once(talent, school_admin):
    promotion = pending(talent)
    approve(promotion, school_admin)

    with pytest.raises(ValidationError, match="已被处理"):
        approve(Promotion.objects.get(pk=promotion.pk), school_admin)


# --- the notice ------------------------------------------------------------------------


def test_the_promotion_takes_effect_only_after_the_full_notice_period(in_notice):
    assert promotions.finish_notices(now=later(6, 23)) == 0
    assert status_of(in_notice) == Status.IN_NOTICE

    assert promotions.finish_notices(now=later(7, 1)) == 1

    in_notice.refresh_from_db()
    person = User.objects.get(pk=in_notice.person_id)
    assert in_notice.status == Status.EFFECTIVE
    assert person.level == Level.MANAGER
    event = LevelEvent.objects.get(person=person)
    assert (event.kind, event.from_level, event.to_level) == (
        LevelEvent.Kind.PROMOTED,
        Level.TALENT,
        Level.MANAGER,
    )
    assert event.promotion == in_notice
    assert in_notice.letter.kind == Certificate.Kind.APPOINTMENT
    assert in_notice.letter.holder == person


def test_running_the_job_again_changes_nothing_more(in_notice):
    promotions.finish_notices(now=later(8))
    promotions.finish_notices(now=later(9))

    assert LevelEvent.objects.count() == 1
    assert Certificate.objects.of_kind(Certificate.Kind.APPOINTMENT).count() == 1


def test_an_objection_holds_the_promotion_past_the_end_of_the_notice(
    in_notice, other_trainee
):
    objection = promotions.lodge_objection(
        in_notice, objector=other_trainee, reason="该同志近期未参加社区服务"
    )

    assert status_of(in_notice) == Status.ON_HOLD
    assert objection.resolution == ""
    assert promotions.finish_notices(now=later(30)) == 0
    assert User.objects.get(pk=in_notice.person_id).level == Level.TALENT


def test_an_objection_needs_a_reason_and_one_open_per_person(in_notice, other_trainee):
    with pytest.raises(ValidationError, match="请填写异议理由"):
        promotions.lodge_objection(in_notice, objector=other_trainee, reason="  ")
    promotions.lodge_objection(in_notice, objector=other_trainee, reason="理由一")

    with pytest.raises(ValidationError, match="正在处理中"):
        promotions.lodge_objection(in_notice, objector=other_trainee, reason="理由二")
    assert Objection.objects.count() == 1


def test_nobody_objects_to_their_own_promotion_or_outside_the_notice(
    talent, in_notice, other_trainee, school_admin
):
    with pytest.raises(ValidationError, match="自己的晋级"):
        promotions.lodge_objection(in_notice, objector=talent, reason="我反对")
    under_review = pending(other_trainee)
    with pytest.raises(ValidationError, match="不在公示期内"):
        promotions.lodge_objection(under_review, objector=talent, reason="理由")
    Promotion.objects.filter(pk=in_notice.pk).update(
        notice_ends_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match="不在公示期内"):
        promotions.lodge_objection(in_notice, objector=school_admin, reason="理由")


def test_an_upheld_objection_rejects_the_promotion(
    in_notice, other_trainee, second_admin
):
    objection = promotions.lodge_objection(
        in_notice, objector=other_trainee, reason="曾有违规记录"
    )

    promotions.resolve_objection(
        objection, actor=second_admin, upheld=True, note="经核实，情况属实"
    )

    in_notice.refresh_from_db()
    objection.refresh_from_db()
    assert in_notice.status == Status.REJECTED
    assert "经核实，情况属实" in in_notice.reject_reason
    assert objection.resolution == Objection.Resolution.UPHELD
    assert objection.resolved_by == second_admin
    assert promotions.finish_notices(now=later(30)) == 0


def test_a_dismissed_objection_resumes_the_notice_extended_by_the_hold(
    in_notice, other_trainee, school_admin
):
    ends = in_notice.notice_ends_at
    objection = promotions.lodge_objection(
        in_notice, objector=other_trainee, reason="理由不充分的异议"
    )
    # Held for two days.
    Objection.objects.filter(pk=objection.pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )

    promotions.resolve_objection(
        objection, actor=school_admin, upheld=False, note="经核实，异议不成立"
    )

    in_notice.refresh_from_db()
    assert in_notice.status == Status.IN_NOTICE
    extension = in_notice.notice_ends_at - ends
    assert timedelta(days=2) <= extension < timedelta(days=2, minutes=1)
    assert promotions.finish_notices(now=ends + timedelta(hours=1)) == 0
    assert promotions.finish_notices(now=in_notice.notice_ends_at) == 1


def test_the_notice_resumes_only_when_every_objection_is_resolved(
    in_notice, other_trainee, coordinator, school_admin
):
    first = promotions.lodge_objection(in_notice, objector=other_trainee, reason="一")
    promotions.lodge_objection(in_notice, objector=coordinator, reason="二")

    promotions.resolve_objection(first, actor=school_admin, upheld=False, note="不成立")

    assert status_of(in_notice) == Status.ON_HOLD
    with pytest.raises(ValidationError, match="已被处理"):
        promotions.resolve_objection(
            first, actor=school_admin, upheld=True, note="再处理"
        )


def test_only_administrators_resolve_objections_never_on_their_own_promotion(
    in_notice, other_trainee, coordinator, talent
):
    objection = promotions.lodge_objection(
        in_notice, objector=other_trainee, reason="理由"
    )
    with pytest.raises(PermissionDenied):
        promotions.resolve_objection(
            objection, actor=coordinator, upheld=False, note="不成立"
        )
    with pytest.raises(PermissionDenied):
        promotions.resolve_objection(
            objection, actor=talent, upheld=False, note="不成立"
        )
    assert status_of(in_notice) == Status.ON_HOLD


def test_a_resolution_needs_a_note(in_notice, other_trainee, school_admin):
    objection = promotions.lodge_objection(
        in_notice, objector=other_trainee, reason="理由"
    )
    with pytest.raises(ValidationError, match="请填写处理说明"):
        promotions.resolve_objection(
            objection, actor=school_admin, upheld=False, note=""
        )


# --- the letter of appointment ------------------------------------------------------


def test_the_letter_prints_the_name_and_is_verifiable_by_its_qr(in_notice):
    promotions.finish_notices(now=later(8))
    in_notice.refresh_from_db()
    letter = in_notice.letter

    pdf = render_pdf(letter)

    text = flat("".join(page.extract_text() for page in read(pdf).pages))
    assert "聘书" in text
    assert "张三" in text
    assert "社区主理人" in text
    assert letter.number in text
    assert decoded_qr_codes(pdf) == [letter.verification_url]
    assert letter.snapshot["level"] == Level.MANAGER
    assert letter.snapshot["organisation"] == "测试街道志愿者培训学院"
    assert letter.valid_until is not None

    response = Client().get(letter.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "聘书" in page
    assert "社区主理人" in page
    assert "有效" in page
    assert "测试街道志愿者培训学院" in page


def test_no_volunteer_academy_means_no_effect_and_a_retry_next_hour(
    talent, school_admin
):
    promotion = approve(pending(talent), school_admin)  # no academy set up

    assert promotions.finish_notices(now=later(8)) == 0

    assert status_of(promotion) == Status.IN_NOTICE
    assert User.objects.get(pk=talent.pk).level == Level.TALENT


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_change_the_level_once_and_issue_one_letter(
    in_notice,
):
    outcomes = run_concurrently(promotions.finish_notices, 2, now=later(8))

    assert sorted(outcomes) == [0, 1]
    assert LevelEvent.objects.count() == 1
    assert Certificate.objects.of_kind(Certificate.Kind.APPOINTMENT).count() == 1
    assert User.objects.get(pk=in_notice.person_id).level == Level.MANAGER
    assert status_of(in_notice) == Status.EFFECTIVE


@pytest.mark.django_db(transaction=True)
def test_an_objection_racing_the_end_of_the_notice_either_holds_it_or_is_refused(
    in_notice, other_trainee
):
    Promotion.objects.filter(pk=in_notice.pk).update(
        notice_ends_at=timezone.now() + timedelta(seconds=2)
    )

    def finish():
        return promotions.finish_notices(now=later(1))

    def object_():
        return promotions.lodge_objection(
            Promotion.objects.get(pk=in_notice.pk),
            objector=other_trainee,
            reason="最后一刻的异议",
        )

    from tests.concurrency import run_all_concurrently

    finished, objected = run_all_concurrently([finish, object_])

    status = status_of(in_notice)
    if finished == 1:
        assert status == Status.EFFECTIVE
        assert isinstance(objected, ValidationError)
        assert not Objection.objects.exists()
    else:
        assert status == Status.ON_HOLD
        assert isinstance(objected, Objection)


def test_the_default_manager_rule_asks_for_an_application_review_and_notice():
    rule = LevelRule.objects.get(level=Level.MANAGER)
    assert (rule.needs_application, rule.needs_review, rule.notice_days) == (
        True,
        True,
        7,
    )
