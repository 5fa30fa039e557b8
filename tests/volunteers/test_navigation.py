"""The header leads to the volunteer pages: 我的成长, 我的服务 and 积分商城 for everyone
logged in, 兑换码核销 only for the staff of a merchant."""

from django.urls import reverse

import pytest

from school import roles
from tests.factories import UserFactory
from volunteers.models import Merchant

pytestmark = pytest.mark.django_db

SERVICE, REWARDS = reverse("services:mine"), reverse("rewards:catalogue")
GROWTH = reverse("growth:mine")
MERCHANT_PAGE = reverse("rewards:merchant")


def header_links(client, person) -> str:
    client.force_login(person)
    return client.get(reverse("courses:dashboard")).content.decode()


def test_a_trainee_finds_service_and_rewards_but_not_the_merchant_page(client, trainee):
    page = header_links(client, trainee)
    assert f'href="{SERVICE}"' in page and f'href="{REWARDS}"' in page
    assert f'href="{GROWTH}"' in page
    assert MERCHANT_PAGE not in page


def test_a_merchants_staff_finds_the_merchant_page(client, grid):
    shopkeeper = UserFactory(role=roles.MERCHANT, org_unit=grid, is_staff=True)
    Merchant.objects.create(name="桃园理发店").staff.add(shopkeeper)

    assert f'href="{MERCHANT_PAGE}"' in header_links(client, shopkeeper)


def test_staff_of_no_merchant_or_of_a_closed_one_do_not(client, instructor, grid):
    shopkeeper = UserFactory(role=roles.MERCHANT, org_unit=grid, is_staff=True)
    Merchant.objects.create(name="已歇业小店", is_active=False).staff.add(shopkeeper)

    assert MERCHANT_PAGE not in header_links(client, instructor)
    assert MERCHANT_PAGE not in header_links(client, shopkeeper)


def test_anyone_finds_the_public_notice_of_promotions_in_the_footer(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{reverse("promotions:notice")}"' in page
