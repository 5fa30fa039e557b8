"""Races on rewards: a crowd redeeming the last items, one person redeeming
several rewards at once with too few points for all, two scans of one code, a
double cancel, the per-person limit pressed from many tabs, expiry beside
redemptions. Real threads and forked processes released by a barrier, on the
test database (file SQLite or PostgreSQL): the database decides who wins.

PostgreSQL takes at most `max_connections` clients at once, so there the jobs
share PG_THREADS threads, each running its share one after another; SQLite takes
one thread per job (its writers queue behind BEGIN IMMEDIATE).
"""

from collections.abc import Sequence
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

import pytest

from school.models import Level, User
from tests.concurrency import run_jobs
from tests.volunteers.test_rewards_support import *  # noqa: F403 (fixtures)
from tests.volunteers.test_rewards_support import credit, make_reward
from volunteers import ledger, redemptions
from volunteers.models import PointAccount, PointEntry, Redemption, Reward

pytestmark = pytest.mark.django_db(transaction=True)

PG_THREADS = 40
Status = Redemption.Status


def _run(job: tuple) -> tuple:
    """One job on this thread's own connection: (job, "ok", value),
    (job, "refused", messages) or (job, "error", repr)."""
    kind, *ids = job
    try:
        if kind == "redeem":
            made = redemptions.redeem_reward(
                Reward.objects.get(pk=ids[0]), person=User.objects.get(pk=ids[1])
            )
            value = made.pk
        elif kind == "use":
            value = redemptions.mark_used(ids[0], actor=User.objects.get(pk=ids[1])).pk
        elif kind == "cancel":
            value = redemptions.cancel_redemption(
                Redemption.objects.get(pk=ids[0]), actor=User.objects.get(pk=ids[1])
            ).pk
        elif kind == "expire_points":
            value = ledger.expire_points()
        else:
            raise ValueError(kind)
    except ValidationError as error:
        return job, "refused", error.messages
    except Exception as error:
        return job, "error", repr(error)
    return job, "ok", value


def race(jobs: Sequence[tuple], *, processes: bool = False) -> list[tuple]:
    """Run the jobs at once (forked processes, or threads); no job may fail with
    anything but a refusal."""
    outcomes = run_jobs(jobs, _run, processes=processes, pg_threads=PG_THREADS)
    errors = [o for o in outcomes if not isinstance(o, tuple) or o[1] == "error"]
    assert errors == [], errors
    return outcomes


def _ok(outcomes) -> list:
    return [value for _job, result, value in outcomes if result == "ok"]


def _refusals(outcomes) -> list[str]:
    return [m for _job, result, ms in outcomes if result == "refused" for m in ms]


def _people(n: int, points: int, *, level=Level.VOLUNTEER) -> list[User]:
    people = User.objects.bulk_create(
        User(phone=f"135{index:08d}", real_name=f"抢兑志愿者{index}", level=level)
        for index in range(n)
    )
    people = list(User.objects.filter(phone__startswith="135").order_by("pk"))
    for person in people:
        if points:
            credit(person, points)
    return people


def assert_ledger_adds_up(reward: Reward, initial_stock: int) -> None:
    """Stock plus live redemptions is the initial stock; every account's balance
    is the sum of its entries and never below zero; one debit per redemption."""
    reward.refresh_from_db()
    taken = Redemption.objects.filter(reward=reward).live().count()
    assert reward.stock + taken == initial_stock
    assert reward.stock >= 0
    for account in PointAccount.objects.all():
        entries = PointEntry.objects.filter(account=account)
        assert account.balance == sum(e.amount for e in entries) >= 0
        assert all(e.balance_after >= 0 for e in entries)
    for made in Redemption.objects.filter(reward=reward):
        kinds = sorted(made.entries.values_list("kind", flat=True))
        assert kinds in (["redemption"], ["redemption", "refund"])


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_fifty_redeeming_the_last_five_items_get_exactly_five(merchant, processes):
    last_five = make_reward(merchant, stock=5, points_cost=30)
    people = _people(50, 100)
    outcomes = race(
        [("redeem", last_five.pk, person.pk) for person in people],
        processes=processes,
    )
    assert len(_ok(outcomes)) == 5
    assert set(_refusals(outcomes)) == {"已兑完。"}
    last_five.refresh_from_db()
    assert last_five.stock == 0
    assert Redemption.objects.filter(reward=last_five).count() == 5
    assert PointEntry.objects.filter(kind=PointEntry.Kind.REDEMPTION).count() == 5
    assert_ledger_adds_up(last_five, 5)


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_one_person_redeeming_many_rewards_at_once_never_overdraws(
    merchant, volunteer, processes
):
    rewards = [make_reward(merchant, stock=3, points_cost=30) for _ in range(10)]
    credit(volunteer, 100)
    outcomes = race(
        [("redeem", reward.pk, volunteer.pk) for reward in rewards],
        processes=processes,
    )
    assert len(_ok(outcomes)) == 3
    assert all("积分" in message for message in _refusals(outcomes))
    assert ledger.balance_of(volunteer).balance == 10
    assert sum(Reward.objects.values_list("stock", flat=True)) == 10 * 3 - 3
    for reward in rewards:
        assert_ledger_adds_up(reward, 3)


def test_the_per_person_limit_holds_when_pressed_from_many_tabs(merchant, volunteer):
    limited = make_reward(merchant, stock=50, points_cost=10, per_person_limit=2)
    credit(volunteer, 1000)
    outcomes = race([("redeem", limited.pk, volunteer.pk)] * 20)
    assert len(_ok(outcomes)) == 2
    assert set(_refusals(outcomes)) == {"每人限兑 2 次，您已兑换 2 次。"}
    assert ledger.balance_of(volunteer).balance == 980
    assert_ledger_adds_up(limited, 50)


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_one_code_scanned_by_two_at_once_is_used_once(
    volunteer, reward, merchant_staff, processes
):
    credit(volunteer, 100)
    made = redemptions.redeem_reward(reward, person=volunteer)
    outcomes = race([("use", made.code, merchant_staff.pk)] * 2, processes=processes)
    assert len(_ok(outcomes)) == 1
    [refusal] = _refusals(outcomes)
    assert "使用，不能重复核销" in refusal
    made.refresh_from_db()
    assert made.status == Status.USED
    assert made.events.filter(kind="used").count() == 1


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_a_double_cancel_returns_points_and_stock_once(volunteer, reward, processes):
    credit(volunteer, 100)
    made = redemptions.redeem_reward(reward, person=volunteer)
    outcomes = race([("cancel", made.pk, volunteer.pk)] * 4, processes=processes)
    assert len(_ok(outcomes)) == 1
    assert len(_refusals(outcomes)) == 3
    assert ledger.balance_of(volunteer).balance == 100
    reward.refresh_from_db()
    assert reward.stock == 5
    assert PointEntry.objects.filter(kind=PointEntry.Kind.REFUND).count() == 1
    assert_ledger_adds_up(reward, 5)


def test_cancel_and_use_of_one_code_at_once_do_one_of_the_two(
    volunteer, reward, merchant_staff
):
    credit(volunteer, 100)
    made = redemptions.redeem_reward(reward, person=volunteer)
    outcomes = race(
        [("cancel", made.pk, volunteer.pk), ("use", made.code, merchant_staff.pk)]
    )
    assert len(_ok(outcomes)) == 1
    made.refresh_from_db()
    assert made.status in (Status.CANCELLED, Status.USED)
    expected = 100 if made.status == Status.CANCELLED else 70
    assert ledger.balance_of(volunteer).balance == expected
    assert_ledger_adds_up(reward, 5)


@override_settings(VOLUNTEER_POINTS_EXPIRE_MONTHS=12)
def test_expiring_points_beside_redemptions_never_overdraws(merchant):
    rewards = [make_reward(merchant, stock=100, points_cost=40) for _ in range(3)]
    people = _people(10, 0)
    old = timezone.now() - timedelta(days=400)
    for person in people:
        credit(person, 60, when=old)
        credit(person, 30)
    jobs = [("redeem", r.pk, p.pk) for p in people for r in rewards]
    jobs += [("expire_points",)] * 3
    race(jobs)
    assert ledger.expire_points() == 0  # nothing left to expire
    for person in people:
        balance = ledger.balance_of(person).balance
        # 90 points: the 60 old ones not spent expire; what is spent came first
        # from the old ones (FIFO), so at most the 30 new ones stay.
        assert 0 <= balance <= 30
    for reward in rewards:
        assert_ledger_adds_up(reward, 100)
