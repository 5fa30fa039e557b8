"""Points expiry (ledger.expire_points): off by default; with N months, the old
points not spent expire oldest-first, hours never, and a second run writes
nothing."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

import pytest

from tests.volunteers.test_rewards_support import *  # noqa: F403 (fixtures)
from tests.volunteers.test_rewards_support import credit
from volunteers import ledger, redemptions
from volunteers.ledger import _months_before
from volunteers.models import PointEntry

pytestmark = pytest.mark.django_db

Kind = PointEntry.Kind
LONG_AGO = timedelta(days=400)


def _expired_entries() -> list[int]:
    return list(
        PointEntry.objects.filter(kind=Kind.EXPIRY).values_list("amount", flat=True)
    )


def test_points_never_expire_by_default(volunteer):
    credit(volunteer, 50, when=timezone.now() - LONG_AGO * 5)
    assert ledger.expire_points() == 0
    assert ledger.balance_of(volunteer).balance == 50


@override_settings(VOLUNTEER_POINTS_EXPIRE_MONTHS=12)
def test_old_unspent_points_expire_once(volunteer):
    credit(volunteer, 50, when=timezone.now() - LONG_AGO)
    credit(volunteer, 20)
    assert ledger.expire_points() == 1
    assert _expired_entries() == [-50]
    assert ledger.balance_of(volunteer).balance == 20
    assert ledger.expire_points() == 0  # idempotent: a second run writes nothing
    assert _expired_entries() == [-50]


@override_settings(VOLUNTEER_POINTS_EXPIRE_MONTHS=12)
def test_spending_takes_the_oldest_points_first(volunteer, reward):
    credit(volunteer, 50, when=timezone.now() - LONG_AGO)
    credit(volunteer, 40)
    redemptions.redeem_reward(reward, person=volunteer)  # 30 of the old 50
    ledger.expire_points()
    assert _expired_entries() == [-20]
    assert ledger.balance_of(volunteer).balance == 40


@override_settings(VOLUNTEER_POINTS_EXPIRE_MONTHS=12)
def test_a_cancelled_redemption_does_not_count_as_spending(volunteer, reward):
    credit(volunteer, 50, when=timezone.now() - LONG_AGO)
    made = redemptions.redeem_reward(reward, person=volunteer)
    redemptions.cancel_redemption(made, actor=volunteer)
    ledger.expire_points()
    assert _expired_entries() == [-50]
    assert ledger.balance_of(volunteer).balance == 0


@override_settings(VOLUNTEER_POINTS_EXPIRE_MONTHS=12)
def test_hours_never_expire(volunteer):
    with transaction.atomic():
        entry = ledger.append_entry(
            volunteer, kind=Kind.CORRECTION, amount=30, hours=Decimal("6.5")
        )
    PointEntry.objects.filter(pk=entry.pk).update(created_at=timezone.now() - LONG_AGO)
    ledger.expire_points()
    held = ledger.balance_of(volunteer)
    assert held.balance == 0
    assert held.hours == Decimal("6.5")


@override_settings(VOLUNTEER_POINTS_EXPIRE_MONTHS=12)
def test_an_undone_expiry_is_not_expired_again(volunteer, school_admin):
    credit(volunteer, 50, when=timezone.now() - LONG_AGO)
    ledger.expire_points()
    expiry = PointEntry.objects.get(kind=Kind.EXPIRY)
    ledger.correct_entry(expiry, actor=school_admin, reason="到期前已申请延期")
    assert ledger.balance_of(volunteer).balance == 50
    assert ledger.expire_points() == 0


def test_months_are_calendar_months():
    tz = timezone.get_current_timezone()
    moment = datetime(2026, 3, 31, 9, 30, tzinfo=tz)
    assert _months_before(moment, 1) == datetime(2026, 2, 28, 9, 30, tzinfo=tz)
    assert _months_before(moment, 15) == datetime(2024, 12, 31, 9, 30, tzinfo=tz)
