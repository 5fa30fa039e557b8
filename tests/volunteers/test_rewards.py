"""Redeeming rewards, marking codes used, cancelling and expiring them: the rules
of volunteers.redemptions, one at a time (the races are in
test_rewards_concurrency.py)."""

from django.core.exceptions import ValidationError

import pytest

from school.models import Level
from tests.volunteers.test_rewards_support import *  # noqa: F403 (fixtures)
from tests.volunteers.test_rewards_support import backdate, credit, make_reward
from volunteers import ledger, redemptions
from volunteers.models import PointEntry, Redemption, RedemptionEvent, Reward

pytestmark = pytest.mark.django_db

Status = Redemption.Status


def test_redeeming_takes_points_and_stock_and_gives_a_code(volunteer, reward):
    credit(volunteer, 100)
    made = redemptions.redeem_reward(reward, person=volunteer)
    assert made.status == Status.ISSUED
    assert len(made.code) == 10
    assert made.points == 30
    assert ledger.balance_of(volunteer).balance == 70
    assert Reward.objects.get(pk=reward.pk).stock == 4
    entry = PointEntry.objects.get(redemption=made)
    assert (entry.kind, entry.amount, entry.balance_after) == ("redemption", -30, 70)
    assert made.events.get().kind == RedemptionEvent.Kind.ISSUED
    assert (made.expires_at - made.created_at).days == reward.code_valid_days


def test_too_few_points_are_refused_and_the_stock_stays(volunteer, reward):
    credit(volunteer, 20)
    with pytest.raises(ValidationError, match="还差 10 积分"):
        redemptions.redeem_reward(reward, person=volunteer)
    assert Reward.objects.get(pk=reward.pk).stock == 5
    assert not Redemption.objects.exists()
    assert ledger.balance_of(volunteer).balance == 20


def test_a_person_without_points_is_told_what_is_missing(volunteer, reward):
    with pytest.raises(ValidationError, match="还差 30 积分"):
        redemptions.redeem_reward(reward, person=volunteer)


def test_an_empty_shelf_is_refused(volunteer, merchant):
    empty = make_reward(merchant, stock=0)
    credit(volunteer, 100)
    with pytest.raises(ValidationError, match="已兑完"):
        redemptions.redeem_reward(empty, person=volunteer)
    assert ledger.balance_of(volunteer).balance == 100


def test_space_use_is_for_community_managers_only(volunteer, merchant):
    space = make_reward(
        merchant,
        category=Reward.Category.SPACE_USE,
        minimum_level=Level.MANAGER,
        title="活动室使用 2 小时",
    )
    credit(volunteer, 100)
    with pytest.raises(ValidationError, match="仅限社区主理人及以上兑换"):
        redemptions.redeem_reward(space, person=volunteer)
    volunteer.level = Level.MANAGER
    volunteer.save(update_fields=["level"])
    assert redemptions.redeem_reward(space, person=volunteer).status == Status.ISSUED


def test_a_resident_below_the_volunteer_level_is_refused(volunteer, reward):
    volunteer.level = Level.RESIDENT
    volunteer.save(update_fields=["level"])
    credit(volunteer, 100)
    with pytest.raises(ValidationError, match="仅限志愿者及以上兑换"):
        redemptions.redeem_reward(reward, person=volunteer)


def test_rewards_outside_their_window_or_withdrawn_are_refused(volunteer, merchant):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    credit(volunteer, 100)
    later = make_reward(merchant, valid_from=today + timedelta(days=3))
    over = make_reward(
        merchant,
        valid_from=today - timedelta(days=9),
        valid_until=today - timedelta(days=1),
    )
    withdrawn = make_reward(merchant, is_active=False)
    with pytest.raises(ValidationError, match="起可兑换"):
        redemptions.redeem_reward(later, person=volunteer)
    with pytest.raises(ValidationError, match="截止"):
        redemptions.redeem_reward(over, person=volunteer)
    with pytest.raises(ValidationError, match="已下架"):
        redemptions.redeem_reward(withdrawn, person=volunteer)


def test_the_per_person_limit_counts_live_redemptions_only(volunteer, merchant):
    limited = make_reward(merchant, per_person_limit=1, points_cost=10)
    credit(volunteer, 100)
    first = redemptions.redeem_reward(limited, person=volunteer)
    with pytest.raises(ValidationError, match="每人限兑 1 次"):
        redemptions.redeem_reward(limited, person=volunteer)
    redemptions.cancel_redemption(first, actor=volunteer)
    assert redemptions.redeem_reward(limited, person=volunteer).status == Status.ISSUED


def test_the_merchant_marks_a_code_used_once(volunteer, reward, merchant_staff):
    credit(volunteer, 100)
    made = redemptions.redeem_reward(reward, person=volunteer)
    used = redemptions.mark_used(made.code.lower(), actor=merchant_staff)
    assert used.status == Status.USED
    assert used.used_by == merchant_staff
    with pytest.raises(ValidationError, match="已于.*使用，不能重复核销"):
        redemptions.mark_used(made.code, actor=merchant_staff)
    assert made.events.filter(kind=RedemptionEvent.Kind.USED).count() == 1


def test_an_administrator_may_mark_any_code(volunteer, reward, school_admin):
    credit(volunteer, 100)
    made = redemptions.redeem_reward(reward, person=volunteer)
    assert redemptions.mark_used(made.code, actor=school_admin).status == Status.USED


def test_another_shops_merchant_finds_no_such_code(
    volunteer, reward, other_merchant, other_merchant_staff
):
    credit(volunteer, 100)
    made = redemptions.redeem_reward(reward, person=volunteer)
    with pytest.raises(ValidationError, match="未找到该兑换码"):
        redemptions.mark_used(made.code, actor=other_merchant_staff)
    with pytest.raises(ValidationError, match="未找到该兑换码"):
        redemptions.mark_used(made.code, actor=volunteer)
    assert Redemption.objects.get(pk=made.pk).status == Status.ISSUED


def test_an_expired_code_cannot_be_used_or_cancelled(volunteer, reward, merchant_staff):
    credit(volunteer, 100)
    made = redemptions.redeem_reward(reward, person=volunteer)
    backdate(made, days=1)
    with pytest.raises(ValidationError, match="过期"):
        redemptions.mark_used(made.code, actor=merchant_staff)
    with pytest.raises(ValidationError, match="过期"):
        redemptions.cancel_redemption(made, actor=volunteer)


def test_cancelling_returns_points_and_stock_once(volunteer, reward):
    credit(volunteer, 100)
    made = redemptions.redeem_reward(reward, person=volunteer)
    cancelled = redemptions.cancel_redemption(made, actor=volunteer)
    assert cancelled.status == Status.CANCELLED
    assert ledger.balance_of(volunteer).balance == 100
    assert Reward.objects.get(pk=reward.pk).stock == 5
    with pytest.raises(ValidationError, match="已取消"):
        redemptions.cancel_redemption(made, actor=volunteer)
    assert ledger.balance_of(volunteer).balance == 100
    assert Reward.objects.get(pk=reward.pk).stock == 5


def test_a_used_code_cannot_be_cancelled(volunteer, reward, merchant_staff):
    credit(volunteer, 100)
    made = redemptions.redeem_reward(reward, person=volunteer)
    redemptions.mark_used(made.code, actor=merchant_staff)
    with pytest.raises(ValidationError, match="已使用，不能取消"):
        redemptions.cancel_redemption(made, actor=volunteer)


def test_nobody_else_cancels_my_redemption(volunteer, other_volunteer, reward):
    credit(volunteer, 100)
    made = redemptions.redeem_reward(reward, person=volunteer)
    with pytest.raises(ValidationError):
        redemptions.cancel_redemption(made, actor=other_volunteer)
    assert Redemption.objects.get(pk=made.pk).status == Status.ISSUED


def test_expiring_codes_returns_points_and_stock_once(volunteer, reward):
    credit(volunteer, 100)
    made = redemptions.redeem_reward(reward, person=volunteer)
    kept = redemptions.redeem_reward(reward, person=volunteer)
    backdate(made, days=1)
    assert redemptions.expire_redemptions() == 1
    assert redemptions.expire_redemptions() == 0
    assert Redemption.objects.get(pk=made.pk).status == Status.EXPIRED
    assert Redemption.objects.get(pk=kept.pk).status == Status.ISSUED
    assert ledger.balance_of(volunteer).balance == 70
    assert Reward.objects.get(pk=reward.pk).stock == 4
    assert made.events.filter(kind=RedemptionEvent.Kind.EXPIRED).count() == 1


def test_a_reversing_entry_restores_the_balance(volunteer, reward, school_admin):
    credit(volunteer, 100)
    made = redemptions.redeem_reward(reward, person=volunteer)
    debit = PointEntry.objects.get(redemption=made)
    ledger.correct_entry(debit, actor=school_admin, reason="误操作，退回积分")
    assert ledger.balance_of(volunteer).balance == 100
