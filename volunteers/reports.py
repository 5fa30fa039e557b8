"""志愿服务报表: the redemptions each community's residents' committee posts
(公示, names masked), points issued and spent per month, the service items that
earned most, and the rewards' stock, each as a table (headers and rows) that the
admin pages show and courses.reports.exports streams as CSV or XLSX.

Every report is added up in the database in a fixed number of queries however
many entries, records or redemptions there are; Python only lays rows out.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from certificates.views import mask_name
from courses.reports import Period
from courses.reports.exports import Table
from courses.reports.figures import local_month, month_of
from school.models import OrgUnit
from volunteers.models import PointEntry, Redemption, Reward, ServiceRecord

Kind = PointEntry.Kind
EVERYTHING = Period()
CHUNK = 2000


# --- 1. the residents' committee's list of redemptions (公示) -------------------------


def communities() -> list[OrgUnit]:
    """Every community (社区), in tree order: the units a committee list is for."""
    return list(OrgUnit.objects.of_kind(OrgUnit.Kind.COMMUNITY).order_by("path"))


def _community_of(path: str | None, names: dict[str, str]) -> str:
    """The name of the community whose path is a prefix of `path` ("" for none)."""
    if not path:
        return ""
    for end in range(OrgUnit.steplen, len(path) + 1, OrgUnit.steplen):
        if path[:end] in names:
            return names[path[:end]]
    return ""


def committee_redemptions(
    period: Period = EVERYTHING, *, community: OrgUnit | None = None
) -> Table:
    """Redemptions made in the period by residents of `community` (or of every
    community), by month and community, the redeemer's name masked (张*丰) as a
    public notice must: month, community, name, reward, merchant, points, status.
    Two queries; rows are read in chunks as they are written."""
    names = dict(
        OrgUnit.objects.of_kind(OrgUnit.Kind.COMMUNITY).values_list("path", "name")
    )
    statuses = {value: str(label) for value, label in Redemption.Status.choices}
    redemptions = period.filter(Redemption.objects.all(), "created_at")
    if community is not None:
        redemptions = redemptions.filter(
            person__org_unit__path__startswith=community.path
        )
    rows_found = (
        redemptions.annotate(month=local_month("created_at"))
        .order_by("month", "person__org_unit__path", "created_at", "pk")
        .values_list(
            "month",
            "person__org_unit__path",
            "person__real_name",
            "reward__title",
            "reward__merchant__name",
            "points",
            "status",
        )
    )
    headers = [
        _("月份"),
        _("社区"),
        _("兑换人"),
        _("权益"),
        _("提供方"),
        _("积分"),
        _("状态"),
    ]

    def rows() -> Iterator[list]:
        for month, path, name, reward, merchant, points, status in rows_found.iterator(
            chunk_size=CHUNK
        ):
            yield [
                f"{month_of(month):%Y-%m}",
                _community_of(path, names) or _("未填写社区"),
                mask_name(name),
                reward,
                merchant,
                points,
                statuses.get(status, status),
            ]

    return headers, rows()


# --- 2. points issued and spent per month ---------------------------------------------

CREDIT_KINDS = (Kind.SERVICE, Kind.REFUND, Kind.CORRECTION)
DEBIT_KINDS = (Kind.REDEMPTION, Kind.EXPIRY, Kind.CORRECTION)


@dataclass(frozen=True)
class MonthPoints:
    """One month of the ledger: points credited and debited (as positive numbers)
    by kind of entry, and their difference."""

    month: date
    credits: dict[str, int] = field(default_factory=dict)
    debits: dict[str, int] = field(default_factory=dict)

    @property
    def credited(self) -> int:
        return sum(self.credits.values())

    @property
    def debited(self) -> int:
        return sum(self.debits.values())

    @property
    def net(self) -> int:
        return self.credited - self.debited


def points_by_month(period: Period = EVERYTHING) -> list[MonthPoints]:
    """Every ledger entry of the period summed per local month and kind, credits
    and debits apart (a correction may be either); one query."""
    positive = Sum("amount", filter=Q(amount__gt=0))
    negative = Sum("amount", filter=Q(amount__lt=0))
    rows = (
        period.filter(PointEntry.objects.all(), "created_at")
        .annotate(month=local_month("created_at"))
        .order_by()
        .values("month", "kind")
        .annotate(
            credit=Coalesce(positive, Value(0), output_field=IntegerField()),
            debit=Coalesce(negative, Value(0), output_field=IntegerField()),
        )
    )
    credits: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    debits: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        month = month_of(row["month"])
        if row["credit"]:
            credits[month][row["kind"]] += row["credit"]
        if row["debit"]:
            debits[month][row["kind"]] -= row["debit"]
    return [
        MonthPoints(month, dict(credits[month]), dict(debits[month]))
        for month in sorted(set(credits) | set(debits))
    ]


def points_table(months: list[MonthPoints]) -> Table:
    labels = dict(Kind.choices)
    headers = [
        _("月份"),
        *(_("发放：%(kind)s") % {"kind": labels[kind]} for kind in CREDIT_KINDS),
        *(_("消耗：%(kind)s") % {"kind": labels[kind]} for kind in DEBIT_KINDS),
        _("发放合计"),
        _("消耗合计"),
        _("净增"),
    ]
    rows = [
        [
            f"{m.month:%Y-%m}",
            *(m.credits.get(kind, 0) for kind in CREDIT_KINDS),
            *(m.debits.get(kind, 0) for kind in DEBIT_KINDS),
            m.credited,
            m.debited,
            m.net,
        ]
        for m in months
    ]
    if rows:
        columns = list(zip(*rows, strict=True))[1:]
        rows.append([_("合计"), *(sum(column) for column in columns)])
    return headers, rows


# --- 3. the service items that earned most ---------------------------------------------

TOP_ITEMS = 20


@dataclass(frozen=True)
class ItemFigures:
    """One point item's approved service in a period: records, volunteers who
    gave it, hours and points credited (capped points are not)."""

    name: str
    category: str
    records: int
    volunteers: int
    hours: float
    points: int


def top_items(
    period: Period = EVERYTHING, *, limit: int = TOP_ITEMS
) -> list[ItemFigures]:
    """The `limit` point items with the most points credited by approved service
    done in the period (then most records); one query."""
    records = ServiceRecord.objects.approved()
    if period.start:
        records = records.filter(served_on__gte=period.start)
    if period.end:
        records = records.filter(served_on__lte=period.end)
    rows = (
        records.order_by()
        .values("item__name", "item__category")
        .annotate(
            records=Count("pk"),
            volunteers=Count("volunteer", distinct=True),
            hours=Sum("hours"),
            points=Sum("points_awarded"),
        )
        .order_by("-points", "-records", "item__name")[:limit]
    )
    return [
        ItemFigures(
            name=row["item__name"],
            category=row["item__category"],
            records=row["records"],
            volunteers=row["volunteers"],
            hours=float(row["hours"] or 0),
            points=row["points"] or 0,
        )
        for row in rows
    ]


def items_table(items: list[ItemFigures]) -> Table:
    headers = [
        _("积分事项"),
        _("类别"),
        _("服务记录"),
        _("服务人数"),
        _("服务时长（小时）"),
        _("计入积分"),
    ]
    return headers, [
        [
            item.name,
            item.category,
            item.records,
            item.volunteers,
            item.hours,
            item.points,
        ]
        for item in items
    ]


# --- 4. the rewards' stock -------------------------------------------------------------


@dataclass(frozen=True)
class RewardStock:
    """A reward: whether it is on offer today, the stock left, and its redemptions
    in the period by what became of them."""

    title: str
    merchant: str
    category: str
    points_cost: int
    on_offer: bool
    stock: int
    redeemed: int
    issued: int
    used: int
    cancelled: int
    expired: int


def reward_stock(period: Period = EVERYTHING) -> list[RewardStock]:
    """Every reward (on offer first, then by provider and title) with its stock
    and its redemptions made in the period, counted by status; two queries."""
    since, until = period.bounds()
    in_period = Q()
    if since:
        in_period &= Q(redemptions__created_at__gte=since)
    if until:
        in_period &= Q(redemptions__created_at__lt=until)
    Status = Redemption.Status

    def counted(status: str | None = None) -> Count:
        condition = in_period & Q(redemptions__isnull=False)
        if status:
            condition &= Q(redemptions__status=status)
        return Count("redemptions", filter=condition)

    offered = set(Reward.objects.on_offer().values_list("pk", flat=True))
    rewards = (
        Reward.objects.select_related("merchant")
        .annotate(
            redeemed=counted(),
            issued=counted(Status.ISSUED),
            used=counted(Status.USED),
            cancelled=counted(Status.CANCELLED),
            expired=counted(Status.EXPIRED),
        )
        .order_by("merchant__name", "title", "pk")
    )
    categories = dict(Reward.Category.choices)
    found = [
        RewardStock(
            title=reward.title,
            merchant=reward.merchant.name,
            category=str(categories.get(reward.category, reward.category)),
            points_cost=reward.points_cost,
            on_offer=reward.pk in offered,
            stock=reward.stock,
            redeemed=reward.redeemed,
            issued=reward.issued,
            used=reward.used,
            cancelled=reward.cancelled,
            expired=reward.expired,
        )
        for reward in rewards
    ]
    return sorted(found, key=lambda row: not row.on_offer)


def stock_table(rewards: list[RewardStock]) -> Table:
    headers = [
        _("权益"),
        _("提供方"),
        _("类别"),
        _("所需积分"),
        _("在架"),
        _("剩余库存"),
        _("兑换"),
        _("待使用"),
        _("已使用"),
        _("已取消"),
        _("已过期"),
    ]
    return headers, [
        [
            row.title,
            row.merchant,
            row.category,
            row.points_cost,
            _("是") if row.on_offer else _("否"),
            row.stock,
            row.redeemed,
            row.issued,
            row.used,
            row.cancelled,
            row.expired,
        ]
        for row in rewards
    ]
