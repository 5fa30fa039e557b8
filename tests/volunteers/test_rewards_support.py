"""Shared set-up for the rewards tests (no tests here): a volunteer with points, a
merchant with a staff account, a reward. The rewards test modules import these
(tests/volunteers/conftest.py belongs to the service records' tests)."""

import itertools
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

import pytest

from school import roles
from school.models import Level, User
from tests.factories import UserFactory
from volunteers import ledger
from volunteers.models import Merchant, PointEntry, Redemption, Reward

_names = itertools.count(1)


def credit(person: User, points: int, *, when=None) -> PointEntry:
    """Points for the person as if an approved service had earned them (an
    administrator's extra credit: a correction without a reversed entry)."""
    with transaction.atomic():
        entry = ledger.append_entry(
            person, kind=PointEntry.Kind.CORRECTION, amount=points, reason="测试加分"
        )
    if when is not None:
        # Entries are append-only through the model; a test backdates by queryset.
        PointEntry.objects.filter(pk=entry.pk).update(created_at=when)
    return entry


def make_reward(merchant: Merchant, **fields) -> Reward:
    values = {
        "title": f"爱心理发券{next(_names)}",
        "points_cost": 10,
        "stock": 5,
        "minimum_level": Level.VOLUNTEER,
        **fields,
    }
    return Reward.objects.create(merchant=merchant, **values)


def backdate(redemption: Redemption, *, days: int) -> None:
    """Move the code's expiry into the past."""
    Redemption.objects.filter(pk=redemption.pk).update(
        expires_at=timezone.now() - timedelta(days=days)
    )


@pytest.fixture
def volunteer(grid):
    return UserFactory(
        real_name="赵志愿", org_unit=grid, level=Level.VOLUNTEER, role=roles.TRAINEE
    )


@pytest.fixture
def other_volunteer(grid):
    return UserFactory(
        real_name="钱志愿", org_unit=grid, level=Level.VOLUNTEER, role=roles.TRAINEE
    )


@pytest.fixture
def merchant_staff(grid):
    return UserFactory(real_name="孙店主", org_unit=grid, role=roles.MERCHANT)


@pytest.fixture
def other_merchant_staff(grid):
    return UserFactory(real_name="周店主", org_unit=grid, role=roles.MERCHANT)


@pytest.fixture
def merchant(merchant_staff):
    shop = Merchant.objects.create(name="桃园理发店", address="桃园路 3 号")
    shop.staff.add(merchant_staff)
    return shop


@pytest.fixture
def other_merchant(other_merchant_staff):
    shop = Merchant.objects.create(name="桃园面包房")
    shop.staff.add(other_merchant_staff)
    return shop


@pytest.fixture
def reward(merchant):
    return make_reward(merchant, title="爱心理发券", points_cost=30, stock=5)
