"""seed_demo's volunteer service: items, merchants, rewards and six months of
history for the demo volunteers; a second run adds nothing, and every account's
counters equal the sum of its entries."""

from django.db.models import Count, F, Q, Sum

import pytest

from school import demo as school_demo
from school import roles
from volunteers import demo
from volunteers.models import (
    CoordinatorScope,
    Merchant,
    PointAccount,
    PointEntry,
    PointItem,
    Redemption,
    RedemptionEvent,
    Reward,
    ServiceRecord,
    ServiceRecordEvent,
)

pytestmark = pytest.mark.django_db

MODELS = [
    PointItem,
    CoordinatorScope,
    Merchant,
    Reward,
    ServiceRecord,
    ServiceRecordEvent,
    PointAccount,
    PointEntry,
    Redemption,
    RedemptionEvent,
]


@pytest.fixture
def seeded_school():
    """What the school's seeder leaves for the volunteers' one to build on."""
    school_demo.seed_org_tree()
    school_demo.seed_demo_accounts()
    school_demo.seed_trainees(120)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_a_second_seed_adds_nothing(seeded_school):
    demo.seed({})
    first = _counts()
    stock = sorted(Reward.objects.values_list("title", "stock"))
    demo.seed({})
    assert _counts() == first
    assert sorted(Reward.objects.values_list("title", "stock")) == stock


def test_the_demo_has_what_its_pages_need(seeded_school):
    summary = demo.seed({})
    assert "积分事项" in summary
    assert PointItem.objects.count() >= 40
    assert Merchant.objects.filter(kind=Merchant.Kind.MERCHANT).count() >= 5
    assert Merchant.objects.filter(kind=Merchant.Kind.PARTNER).count() >= 3
    assert 8 <= Merchant.objects.count() <= 12
    assert Reward.objects.count() >= 30
    assert {
        Reward.Category.SPACE_USE,
        Reward.Category.PUBLICITY,
    } <= set(Reward.objects.values_list("category", flat=True))
    statuses = set(ServiceRecord.objects.values_list("status", flat=True))
    assert statuses == set(ServiceRecord.Status.values)
    assert ServiceRecord.objects.filter(
        status="approved", points_awarded__gt=0
    ).exists()
    redemption_statuses = set(Redemption.objects.values_list("status", flat=True))
    assert {"issued", "used", "cancelled"} <= redemption_statuses
    # The demo accounts: coordinators cover streets, the merchant account is staff.
    coordinator = school_demo.DEMO_ACCOUNTS[4]
    assert coordinator.role == roles.COORDINATOR
    assert CoordinatorScope.objects.filter(
        coordinator__phone=coordinator.phone
    ).exists()
    merchant = school_demo.DEMO_ACCOUNTS[6]
    assert Merchant.objects.filter(staff__phone=merchant.phone).exists()
    # Nobody decided their own service.
    assert not ServiceRecord.objects.filter(decided_by_id=F("volunteer_id"))


def test_every_account_equals_the_sum_of_its_entries(seeded_school):
    demo.seed({})
    sums = {
        row["account"]: row
        for row in PointEntry.objects.values("account").annotate(
            amount=Sum("amount"), hours=Sum("hours"), entries=Count("pk")
        )
    }
    accounts = list(PointAccount.objects.all())
    assert accounts
    for account in accounts:
        assert account.balance == sums[account.pk]["amount"] >= 0
        assert account.hours == sums[account.pk]["hours"]
    # Every approved record was credited once, no pending or rejected one.
    credited = set(
        PointEntry.objects.filter(kind="service").values_list(
            "service_record", flat=True
        )
    )
    approved = set(
        ServiceRecord.objects.filter(status="approved").values_list("pk", flat=True)
    )
    assert credited == approved
    # Entries are dated when they happened, and each one's balance_after follows
    # from the one before it.
    for account in accounts:
        running = 0
        for amount, after in account.entries.order_by("created_at", "pk").values_list(
            "amount", "balance_after"
        ):
            running += amount
            assert after == running


def test_each_reward_stock_is_what_its_live_redemptions_left(seeded_school):
    before = {
        (merchant, title): stock
        for merchant, title, _category, _points, stock, _limit, _level in demo.REWARDS
    }
    demo.seed({})
    for reward in Reward.objects.select_related("merchant").annotate(
        live=Count("redemptions", filter=~Q(redemptions__status="cancelled"))
    ):
        assert (
            reward.stock == before[(reward.merchant.name, reward.title)] - reward.live
        )
