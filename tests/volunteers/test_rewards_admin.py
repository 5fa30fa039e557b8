"""The rewards admin: merchants with their staff accounts, rewards whose stock an
administrator changes only by an adjustment that cannot go below zero, and the
read-only redemption list."""

from django.urls import NoReverseMatch, reverse

import pytest

from tests.volunteers.test_rewards_support import *  # noqa: F403 (fixtures)
from tests.volunteers.test_rewards_support import credit
from volunteers import redemptions
from volunteers.models import Merchant, Reward

pytestmark = pytest.mark.django_db


def _reward_data(reward: Reward, **changes) -> dict:
    data = {
        "merchant": reward.merchant_id,
        "title": reward.title,
        "description": reward.description,
        "category": reward.category,
        "points_cost": reward.points_cost,
        "valid_from": "",
        "valid_until": "",
        "per_person_limit": "",
        "minimum_level": reward.minimum_level,
        "code_valid_days": reward.code_valid_days,
        "is_active": "on",
        "stock_change": "",
    }
    data.update(changes)
    return data


def test_the_admin_lists_merchants_rewards_and_redemptions_in_chinese(
    client, school_admin, volunteer, reward
):
    credit(volunteer, 100)
    made = redemptions.redeem_reward(reward, person=volunteer)
    client.force_login(school_admin)
    merchants = client.get(reverse("merchant:index")).content.decode()
    assert "商户 / 共建单位" in merchants and "桃园理发店" in merchants
    rewards = client.get(reverse("reward:index")).content.decode()
    assert "爱心理发券" in rewards
    listed = client.get(reverse("redemption:index")).content.decode()
    assert "兑换记录" in listed and made.code in listed
    assert client.get(reverse("redemption:inspect", args=[made.pk])).status_code == 200


def test_merchant_staff_are_chosen_among_merchant_accounts(
    client, school_admin, merchant_staff, volunteer
):
    client.force_login(school_admin)
    page = client.get(reverse("merchant:add")).content.decode()
    assert "孙店主" in page and "赵志愿" not in page
    response = client.post(
        reverse("merchant:add"),
        {
            "name": "桃园书店",
            "kind": "merchant",
            "staff": [merchant_staff.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Merchant.objects.get(name="桃园书店").staff.all()) == [merchant_staff]


def test_stock_changes_by_adjustment_and_never_below_zero(client, school_admin, reward):
    client.force_login(school_admin)
    url = reverse("reward:edit", args=[reward.pk])
    assert "当前库存 5" in client.get(url).content.decode()
    Reward.objects.filter(pk=reward.pk).update(stock=3)  # redeemed meanwhile
    response = client.post(url, _reward_data(reward, stock_change="-4"))
    assert response.status_code == 200
    assert "当前库存只有 3" in response.content.decode()
    assert Reward.objects.get(pk=reward.pk).stock == 3
    response = client.post(url, _reward_data(reward, stock_change="10"))
    assert response.status_code == 302
    assert Reward.objects.get(pk=reward.pk).stock == 13


def test_the_redemption_list_has_no_add_edit_or_delete():
    with pytest.raises(NoReverseMatch):
        reverse("redemption:add")
    for name in ("redemption:edit", "redemption:delete"):
        with pytest.raises(NoReverseMatch):
            reverse(name, args=[1])


def test_a_volunteer_cannot_open_the_rewards_admin(client, volunteer, reward):
    client.force_login(volunteer)
    response = client.get(reverse("reward:index"))
    assert response.status_code in (302, 403)
