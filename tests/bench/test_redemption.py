"""Rewards under a crowd, on SQLite and on PostgreSQL, and the cost of a balance.

The flash: 100 volunteers holding 50 points each press 兑换 on two rewards of 30
points at the same instant (200 redemptions: each can afford only one of the
two), and each reward has 40 in stock (100 want each). Threads released by a
barrier call the redemption service straight on the database, each with its own
connection (on PostgreSQL, 50 threads share the 200 calls: the server takes 100
clients at most), in a process of its own under the server's settings
(tests.bench.run_settings) on a freshly migrated database. Afterwards no account
holds less than nothing or other than the sum of its entries
(`redemption_flash_200_overdrawn_*`) and no reward gave more than its stock
(`redemption_flash_200_oversold_*`): both must be 0.

The balance: the queries to render the volunteer's 积分商城 page (which shows the
balance) with 10 and with 1000 ledger entries — equal, since the balance is a
counter read in one query, not a sum over the entries.

PostgreSQL: a database of its own (PG_BENCH_URL, by default
gridschool_bench_redemption on the local server) is dropped and created; without
a server answering, the PostgreSQL run is skipped.
"""

import os

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from school.models import Level
from tests.bench.databases import fresh_postgres_database
from tests.bench.test_make_run import environment, manage, python_in
from tests.factories import UserFactory
from volunteers import ledger
from volunteers.models import Merchant, PointEntry, Reward

SETTINGS = "tests.bench.run_settings"
PG_BENCH_URL = os.environ.get(
    "PG_BENCH_URL", "postgres://postgres@127.0.0.1:5432/gridschool_bench_redemption"
)

FLASH = """
import json, time
from django.db import connection
from django.db.models import Sum
from django.core.exceptions import ValidationError
from school.models import Level, User
from tests.concurrency import run_all_concurrently
from volunteers import ledger, redemptions
from volunteers.models import Merchant, PointAccount, PointEntry, Redemption, Reward
from django.db import transaction

PEOPLE, POINTS, COST, STOCK = 100, 50, 30, 40
shop = Merchant.objects.create(name="压测爱心商户")
rewards = [
    Reward.objects.create(merchant=shop, title=f"压测权益{i}", points_cost=COST, stock=STOCK)
    for i in range(2)
]
User.objects.bulk_create(
    User(phone=f"134{i:08d}", real_name=f"压测志愿者{i}", level=Level.VOLUNTEER)
    for i in range(PEOPLE)
)
people = list(User.objects.filter(phone__startswith="134").order_by("pk"))
for person in people:
    with transaction.atomic():
        ledger.append_entry(person, kind=PointEntry.Kind.CORRECTION, amount=POINTS)
jobs = [(r.pk, p.pk) for p in people for r in rewards]

def run(job):
    try:
        redemptions.redeem_reward(Reward(pk=job[0]), person=User(pk=job[1]))
        return "ok"
    except ValidationError:
        return "refused"
    except Exception as error:
        return repr(error)

lanes_n = len(jobs) if connection.vendor == "sqlite" else 50
lanes = [jobs[i::lanes_n] for i in range(lanes_n)]
started = time.perf_counter()
done = run_all_concurrently([lambda lane=lane: [run(j) for j in lane] for lane in lanes])
seconds = time.perf_counter() - started
outcomes = [o for lane in done for o in (lane if isinstance(lane, list) else [repr(lane)])]
overdrawn = 0
for account in PointAccount.objects.all():
    total = PointEntry.objects.filter(account=account).aggregate(t=Sum("amount"))["t"] or 0
    if account.balance < 0 or account.balance != total:
        overdrawn += 1
oversold = 0
for reward in Reward.objects.filter(pk__in=[r.pk for r in rewards]):
    live = Redemption.objects.filter(reward=reward).live().count()
    oversold += max(0, live - STOCK) + max(0, -reward.stock) + abs(STOCK - reward.stock - live)
print(json.dumps({
    "ok": outcomes.count("ok"),
    "refused": outcomes.count("refused"),
    "errors": [o for o in outcomes if o not in ("ok", "refused")][:5],
    "overdrawn": overdrawn,
    "oversold": oversold,
    "seconds": seconds,
}))
"""


@pytest.mark.parametrize("database", ["sqlite", "pg"])
def test_a_flash_of_200_redemptions_neither_overdraws_nor_oversells(
    tmp_path, record_figures, database
):
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    extra = {}
    if database == "pg":
        extra["DATABASE_URL"] = fresh_postgres_database(PG_BENCH_URL)
    env = environment(var_dir, SETTINGS, **extra)
    manage(env, "migrate", "--noinput")
    result = python_in(env, FLASH)
    record_figures(
        **{
            f"redemption_flash_200_overdrawn_{database}": result["overdrawn"],
            f"redemption_flash_200_oversold_{database}": result["oversold"],
            f"redemption_flash_200_s_{database}": result["seconds"],
        }
    )
    print(f"\nredemption flash ({database}): {result}")
    assert result["errors"] == []
    assert result["overdrawn"] == 0
    assert result["oversold"] == 0
    assert result["ok"] == 80  # 40 of each reward, each to one who could pay
    assert result["ok"] + result["refused"] == 200


@pytest.mark.django_db
def test_the_balance_costs_the_same_queries_for_10_and_1000_entries(
    client, record_figures
):
    shop = Merchant.objects.create(name="计数商户")
    Reward.objects.create(merchant=shop, title="计数权益", points_cost=5, stock=3)
    counts = {}
    for entries in (10, 1000):
        person = UserFactory(level=Level.VOLUNTEER)
        with transaction.atomic():
            for _ in range(entries):
                ledger.append_entry(person, kind=PointEntry.Kind.CORRECTION, amount=1)
        client.force_login(person)
        client.get(reverse("rewards:catalogue"))  # warm caches (site, menus)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("rewards:catalogue"))
        assert f'data-testid="balance">{entries}<' in page.content.decode()
        counts[entries] = len(queries)
    record_figures(
        ledger_balance_queries_10_entries=counts[10],
        ledger_balance_queries_1000_entries=counts[1000],
    )
    assert counts[10] == counts[1000]
