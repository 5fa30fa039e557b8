"""The reward pages through the client, once per role: the volunteer's catalogue,
confirmation, codes and cancel; the merchant's page; another's code is 404; a GET
changes nothing; a POST without the CSRF token is refused."""

from django.test import Client
from django.urls import reverse

import pytest

from school.models import Level
from tests.volunteers.test_rewards_support import *  # noqa: F403 (fixtures)
from tests.volunteers.test_rewards_support import credit, make_reward
from volunteers import ledger, redemptions
from volunteers.models import PointEntry, Redemption, Reward

pytestmark = pytest.mark.django_db

Status = Redemption.Status


def _state() -> tuple:
    return (
        Redemption.objects.count(),
        list(Redemption.objects.values_list("status", flat=True)),
        PointEntry.objects.count(),
        list(Reward.objects.values_list("stock", flat=True)),
    )


def test_a_visitor_is_sent_to_log_in(client, reward):
    for url in (
        reverse("rewards:catalogue"),
        reverse("rewards:mine"),
        reverse("rewards:merchant"),
        reverse("rewards:redeem", args=[reward.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response["Location"] or "login" in response["Location"]


def test_the_catalogue_says_what_is_missing(client, volunteer, merchant, reward):
    make_reward(
        merchant,
        title="活动室使用权",
        category=Reward.Category.SPACE_USE,
        minimum_level=Level.MANAGER,
    )
    make_reward(merchant, title="已空的权益", stock=0)
    credit(volunteer, 20)
    client.force_login(volunteer)
    page = client.get(reverse("rewards:catalogue")).content.decode()
    assert "积分商城" in page
    assert "爱心理发券" in page and "桃园理发店" in page
    assert "还差 10 积分" in page
    assert "仅限社区主理人及以上兑换" in page
    assert "已兑完" in page
    assert reverse("rewards:redeem", args=[reward.pk]) not in page


def test_a_volunteer_redeems_after_confirming_and_sees_the_code(
    client, volunteer, reward
):
    credit(volunteer, 100)
    client.force_login(volunteer)
    url = reverse("rewards:redeem", args=[reward.pk])
    before = _state()
    confirm = client.get(url).content.decode()
    assert "确认兑换" in confirm and "兑换后余额 70 积分" in confirm
    assert _state() == before  # the confirmation changes nothing
    response = client.post(url)
    made = Redemption.objects.get()
    assert response["Location"] == reverse("rewards:redemption", args=[made.pk])
    page = client.get(response["Location"]).content.decode()
    assert made.code[:5] in page and "<svg" in page
    mine = client.get(reverse("rewards:mine")).content.decode()
    assert made.code[:5] in mine and "取消兑换" in mine
    assert ledger.balance_of(volunteer).balance == 70


def test_a_refused_redemption_says_why(client, volunteer, reward):
    credit(volunteer, 10)
    client.force_login(volunteer)
    response = client.post(reverse("rewards:redeem", args=[reward.pk]), follow=True)
    assert "还差 20 积分" in response.content.decode()
    assert not Redemption.objects.exists()


def test_a_volunteer_cannot_see_or_cancel_anothers_code(
    client, volunteer, other_volunteer, reward
):
    credit(volunteer, 100)
    made = redemptions.redeem_reward(reward, person=volunteer)
    client.force_login(other_volunteer)
    assert client.get(reverse("rewards:redemption", args=[made.pk])).status_code == 404
    assert client.post(reverse("rewards:cancel", args=[made.pk])).status_code == 404
    assert made.code not in client.get(reverse("rewards:mine")).content.decode()
    assert Redemption.objects.get(pk=made.pk).status == Status.ISSUED


def test_cancelling_from_my_page_returns_the_points(client, volunteer, reward):
    credit(volunteer, 100)
    made = redemptions.redeem_reward(reward, person=volunteer)
    client.force_login(volunteer)
    response = client.post(reverse("rewards:cancel", args=[made.pk]), follow=True)
    assert "已取消兑换，30 积分已退回" in response.content.decode()
    assert ledger.balance_of(volunteer).balance == 100


def test_the_merchant_marks_a_code_and_sees_the_masked_name(
    client, volunteer, reward, merchant_staff
):
    credit(volunteer, 100)
    made = redemptions.redeem_reward(reward, person=volunteer)
    client.force_login(merchant_staff)
    url = reverse("rewards:merchant")
    page = client.get(url).content.decode()
    assert "兑换码核销" in page and "vendor/jsqr/jsQR.js" in page
    response = client.post(url, {"code": made.code.lower()}, follow=True)
    text = response.content.decode()
    assert "核销成功" in text and "爱心理发券" in text and "赵*" in text
    assert "赵志愿" not in text
    again = client.post(url, {"code": made.code}, follow=True).content.decode()
    assert "不能重复核销" in again
    assert Redemption.objects.get(pk=made.pk).status == Status.USED


def test_another_shops_merchant_finds_no_such_code(
    client, volunteer, reward, other_merchant, other_merchant_staff
):
    credit(volunteer, 100)
    made = redemptions.redeem_reward(reward, person=volunteer)
    client.force_login(other_merchant_staff)
    response = client.post(
        reverse("rewards:merchant"), {"code": made.code}, follow=True
    )
    assert "未找到该兑换码" in response.content.decode()
    assert Redemption.objects.get(pk=made.pk).status == Status.ISSUED


def test_the_merchant_page_is_not_found_for_a_volunteer(client, volunteer, merchant):
    client.force_login(volunteer)
    assert client.get(reverse("rewards:merchant")).status_code == 404
    assert client.post(reverse("rewards:merchant"), {"code": "X"}).status_code == 404


def test_an_administrator_may_use_the_merchant_page(
    client, school_admin, volunteer, reward
):
    credit(volunteer, 100)
    made = redemptions.redeem_reward(reward, person=volunteer)
    client.force_login(school_admin)
    client.post(reverse("rewards:merchant"), {"code": made.code})
    assert Redemption.objects.get(pk=made.pk).status == Status.USED


def test_a_get_changes_nothing(client, volunteer, reward, merchant_staff):
    credit(volunteer, 100)
    made = redemptions.redeem_reward(reward, person=volunteer)
    before = _state()
    client.force_login(volunteer)
    for url in (
        reverse("rewards:catalogue"),
        reverse("rewards:redeem", args=[reward.pk]),
        reverse("rewards:mine"),
        reverse("rewards:redemption", args=[made.pk]),
        reverse("rewards:cancel", args=[made.pk]),
    ):
        assert client.get(url).status_code in (200, 405)
    client.force_login(merchant_staff)
    client.get(reverse("rewards:merchant") + f"?code={made.code}")
    assert _state() == before


def test_posts_without_the_csrf_token_are_refused(volunteer, reward, merchant_staff):
    credit(volunteer, 100)
    made = redemptions.redeem_reward(reward, person=volunteer)
    before = _state()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(volunteer)
    assert strict.post(reverse("rewards:redeem", args=[reward.pk])).status_code == 403
    assert strict.post(reverse("rewards:cancel", args=[made.pk])).status_code == 403
    strict.force_login(merchant_staff)
    response = strict.post(reverse("rewards:merchant"), {"code": made.code})
    assert response.status_code == 403
    assert _state() == before
