"""数据看板: the figures the dashboards draw, each added up in the database.

Every figure takes a fixed number of queries however many classes, records,
certificates or people there are (the database groups and counts; Python only
lays the groups out over the months or weeks of the period), and every figure is
narrowed by the same filters: a period (both ends inclusive) and an org unit
(people, or places, under its path). A figure is plain headers and rows — what
the page shows beneath the chart and what courses.reports.exports streams as a
CSV or XLSX file — plus the chart's series.

The building blocks are the other apps' selectors: the held class records and
attendance rates of courses.reports, the feedback aggregates of courses.feedback,
the people the ladder counts (volunteers.level_reports) and the utilisation
rate of volunteers.utilisation.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.models import Certificate
from courses.feedback import SUMMARY_AGGREGATES, FeedbackSummary
from courses.models import ClassLevel, ClassSession, Enrollment, Feedback, TrainingClass
from courses.models.pages import Tier
from courses.reports import Period
from courses.reports.exports import Table
from courses.reports.figures import (
    ATTENDED,
    CLASS,
    class_records,
    local_month,
    month_of,
)
from courses.selectors.attendance import rates_grouped_by
from school.models import Level, OrgUnit, PracticeSite
from volunteers.level_reports import people
from volunteers.models import (
    Activity,
    ActivitySession,
    CommunitySpace,
    OpeningHours,
    PointEntry,
)
from volunteers.utilisation import rate, split_stretch

# The period shown when none is asked for: this month and the eleven before it.
DEFAULT_MONTHS = 12


# --- the filters --------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What every figure is narrowed to: a closed period and, optionally, an org
    unit (a street, community or grid) whose people or places alone count."""

    period: Period
    unit: OrgUnit | None = None

    def under(self, queryset, path: str):
        """`queryset` narrowed to rows whose `path` (an org unit's path) lies in
        the unit or beneath it."""
        if self.unit is None:
            return queryset
        return queryset.filter(**{f"{path}__startswith": self.unit.path})

    def dates(self, queryset, day: str):
        """`queryset` narrowed to rows whose date field `day` lies in the period."""
        return queryset.filter(
            **{f"{day}__gte": self.period.start, f"{day}__lte": self.period.end}
        )


def default_period(today: date | None = None) -> Period:
    """The last DEFAULT_MONTHS months: from the first day of the month eleven
    months back to today."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    for _step in range(DEFAULT_MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return Period(first, today)


def months_of(period: Period) -> list[date]:
    """The first day of every month the period touches."""
    month, months = period.start.replace(day=1), []
    while month <= period.end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def weeks_of(period: Period) -> list[date]:
    """The Monday of every week the period touches."""
    week = period.start - timedelta(days=period.start.weekday())
    weeks = []
    while week <= period.end:
        weeks.append(week)
        week += timedelta(days=7)
    return weeks


def week_of(moment) -> date:
    """The local week (its Monday) of a TruncWeek value."""
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment) if timezone.is_aware(moment) else moment
        moment = moment.date()
    return moment - timedelta(days=moment.weekday())


def percent(part: int, whole: int) -> Decimal | None:
    """part ÷ whole as a percentage to one decimal; None when there is no whole."""
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def _number(value) -> float | int | None:
    """A cell as a chart takes it."""
    if isinstance(value, Decimal):
        return float(value)
    return value


# --- a figure -----------------------------------------------------------------------


@dataclass
class Series:
    label: str
    data: list


@dataclass
class Figure:
    """One figure: its title, what it counts, the table (headers and rows, the
    first cell of a row naming it) and the chart drawn from it. A heat map has
    no chart: its table is shaded by `heat_columns` onwards."""

    name: str
    title: str
    note: str
    headers: list[str]
    rows: list[list]
    chart: str = "bar"  # bar, stacked, line (percent), funnel, heat
    labels: list[str] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)

    @property
    def is_heat_map(self) -> bool:
        return self.chart == "heat"

    def chart_data(self) -> dict:
        """What static/dashboards/charts.js draws (through json_script)."""
        return {
            "kind": self.chart,
            "labels": self.labels,
            "series": [
                {"label": s.label, "data": [_number(v) for v in s.data]}
                for s in self.series
            ],
        }

    def table(self) -> Table:
        return self.headers, self.rows


def _month_label(month: date) -> str:
    return f"{month:%Y-%m}"


def _totals_row(rows: list[list]) -> list:
    columns = list(zip(*rows, strict=True))[1:]
    return [_("合计"), *(sum(column) for column in columns)]


# --- 1. classes held by level and tier ------------------------------------------------


def classes_by_level(filters: Filters) -> Figure:
    """培训班 that open in the period, by class level (rows) and tier (columns);
    with a unit, only classes someone of the unit enrolled in. One query."""
    classes = filters.dates(TrainingClass.objects.all(), "starts_on")
    if filters.unit is not None:
        classes = classes.filter(
            Exists(
                filters.under(
                    Enrollment.objects.live().filter(training_class=OuterRef("pk")),
                    "trainee__org_unit__path",
                )
            )
        )
    counts = {
        (row["level"], row["course__tier"]): row["count"]
        for row in classes.order_by()
        .values("level", "course__tier")
        .annotate(count=Count("pk"))
    }
    tiers = list(Tier.choices)
    rows = [
        [
            str(label),
            *(counts.get((level, tier), 0) for tier, _t in tiers),
            sum(counts.get((level, tier), 0) for tier, _t in tiers),
        ]
        for level, label in ClassLevel.choices
    ]
    rows.append(_totals_row(rows))
    return Figure(
        name="classes",
        title=_("培训班开班数"),
        note=_("开班日期在所选时间内的培训班，按班级级别与培训层级统计。"),
        headers=[_("班级级别"), *(str(label) for _t, label in tiers), _("合计")],
        rows=rows,
        chart="stacked",
        labels=[str(label) for _l, label in ClassLevel.choices],
        series=[
            Series(str(label), [row[n + 1] for row in rows[:-1]])
            for n, (_t, label) in enumerate(tiers)
        ],
    )


# --- 2. person-times per month ----------------------------------------------------------


def _held_records(filters: Filters):
    return filters.under(
        class_records(filters.period), "trainee__org_unit__path"
    ).annotate(month=local_month("session__starts_at"))


def person_times(filters: Filters) -> Figure:
    """人次 (present and late records of held class sessions) per month by
    class level. One query."""
    counts = {
        (month_of(row["month"]), row["level"]): row["count"]
        for row in _held_records(filters)
        .filter(status__in=ATTENDED)
        .annotate(level=F(f"{CLASS}__level"))
        .order_by()
        .values("month", "level")
        .annotate(count=Count("pk"))
    }
    months = months_of(filters.period)
    levels = list(ClassLevel.choices)
    rows = [
        [
            _month_label(month),
            *(counts.get((month, level), 0) for level, _l in levels),
            sum(counts.get((month, level), 0) for level, _l in levels),
        ]
        for month in months
    ]
    rows.append(_totals_row(rows))
    return Figure(
        name="person_times",
        title=_("培训人次"),
        note=_("每月已举行的培训场次中出勤与迟到的人次，按班级级别统计。"),
        headers=[_("月份"), *(str(label) for _l, label in levels), _("合计")],
        rows=rows,
        chart="stacked",
        labels=[_month_label(month) for month in months],
        series=[
            Series(str(label), [row[n + 1] for row in rows[:-1]])
            for n, (_l, label) in enumerate(levels)
        ],
    )


# --- 3. completion rate ------------------------------------------------------------------


def completion(filters: Filters) -> Figure:
    """结业率: of the trainees holding a seat (学习中 or 已结业) in classes that end
    in the period, the share completed, per month of the class's end. One query."""
    enrollments = filters.under(
        filters.dates(
            Enrollment.objects.filter(status__in=Enrollment.SEAT_STATUSES),
            "training_class__ends_on",
        ),
        "trainee__org_unit__path",
    )
    found = {
        month_of(row["month"]): row
        for row in enrollments.annotate(month=TruncMonth("training_class__ends_on"))
        .order_by()
        .values("month")
        .annotate(
            seats=Count("pk"),
            completed=Count("pk", filter=Q(status=Enrollment.Status.COMPLETED)),
        )
    }
    months = months_of(filters.period)
    rows = []
    for month in months:
        row = found.get(month, {"seats": 0, "completed": 0})
        rows.append(
            [
                _month_label(month),
                row["seats"],
                row["completed"],
                percent(row["completed"], row["seats"]),
            ]
        )
    seats = sum(row[1] for row in rows)
    completed = sum(row[2] for row in rows)
    rows.append([_("合计"), seats, completed, percent(completed, seats)])
    return Figure(
        name="completion",
        title=_("结业率"),
        note=_("结业日期在当月的培训班中，已结业人数占在读与已结业人数之比。"),
        headers=[_("月份"), _("学员人数"), _("已结业"), _("结业率（%）")],
        rows=rows,
        chart="line",
        labels=[_month_label(month) for month in months],
        series=[Series(_("结业率（%）"), [row[3] for row in rows[:-1]])],
    )


# --- 4. attendance rate ------------------------------------------------------------------


def attendance(filters: Filters) -> Figure:
    """出勤率 per month, as the attendance reports compute it (credit over counted
    marks; excused ones do not count). One query."""
    rates = {
        month_of(month): value
        for month, value in rates_grouped_by(_held_records(filters), "month").items()
    }
    months = months_of(filters.period)
    rows = []
    total = {"present": 0, "late": 0, "excused": 0, "absent": 0, "credit": 0}
    for month in months:
        found = rates.get(month)
        if found is None:
            rows.append([_month_label(month), 0, 0, 0, 0, None])
            continue
        rows.append(
            [
                _month_label(month),
                found.present,
                found.late,
                found.excused,
                found.absent,
                found.percent,
            ]
        )
        for name in total:
            total[name] += getattr(found, name)
    counted = total["present"] + total["late"] + total["absent"]
    rows.append(
        [
            _("合计"),
            total["present"],
            total["late"],
            total["excused"],
            total["absent"],
            int(total["credit"] * 100 / counted) if counted else None,
        ]
    )
    return Figure(
        name="attendance",
        title=_("出勤率"),
        note=_(
            "出勤率 =（出勤 + 迟到 × 迟到折算）÷（出勤 + 迟到 + 缺勤）；"
            "请假不计入，已取消的场次不计入。"
        ),
        headers=[
            _("月份"),
            _("出勤"),
            _("迟到"),
            _("请假"),
            _("缺勤"),
            _("出勤率（%）"),
        ],
        rows=rows,
        chart="line",
        labels=[_month_label(month) for month in months],
        series=[Series(_("出勤率（%）"), [row[5] for row in rows[:-1]])],
    )


# --- 5. satisfaction ---------------------------------------------------------------------


def satisfaction(filters: Filters) -> Figure:
    """满意率 of the ratings of classes and their sessions given in each month
    (4 or 5 of 5 is satisfied), as the satisfaction report counts. One query."""
    feedback = filters.under(
        Feedback.objects.filter(training_class__isnull=False),
        "trainee__org_unit__path",
    )
    feedback = filters.period.filter(feedback, "created_at")
    found = {}
    for row in (
        feedback.annotate(month=local_month("created_at"))
        .order_by()
        .values("month")
        .annotate(**SUMMARY_AGGREGATES)
    ):
        summary = FeedbackSummary()
        summary.add(count=row["count"], total=row["total"], satisfied=row["satisfied"])
        found[month_of(row["month"])] = summary
    months = months_of(filters.period)
    overall = FeedbackSummary()
    rows = []
    for month in months:
        summary = found.get(month, FeedbackSummary())
        overall.add(
            count=summary.count, total=summary.total, satisfied=summary.satisfied
        )
        rows.append(_satisfaction_row(_month_label(month), summary))
    rows.append(_satisfaction_row(_("合计"), overall))
    return Figure(
        name="satisfaction",
        title=_("满意率"),
        note=_("当月学员对培训班及其场次的评价中，4 分、5 分所占比例。"),
        headers=[
            _("月份"),
            _("评价数"),
            _("满意（4–5 分）"),
            _("平均分"),
            _("满意率（%）"),
        ],
        rows=rows,
        chart="line",
        labels=[_month_label(month) for month in months],
        series=[Series(_("满意率（%）"), [row[4] for row in rows[:-1]])],
    )


def _satisfaction_row(label: str, summary: FeedbackSummary) -> list:
    return [
        label,
        summary.count,
        summary.satisfied,
        summary.average,
        summary.satisfaction,
    ]


# --- 6. certificates issued --------------------------------------------------------------


def certificates(filters: Filters) -> Figure:
    """Documents issued per month by kind (a later revocation does not undo the
    issue). One query."""
    issued = filters.under(
        filters.period.filter(Certificate.objects.all(), "issued_at"),
        "holder__org_unit__path",
    )
    counts = {
        (month_of(row["month"]), row["kind"]): row["count"]
        for row in issued.annotate(month=local_month("issued_at"))
        .order_by()
        .values("month", "kind")
        .annotate(count=Count("pk"))
    }
    kinds = list(Certificate.Kind.choices)
    months = months_of(filters.period)
    rows = [
        [
            _month_label(month),
            *(counts.get((month, kind), 0) for kind, _k in kinds),
            sum(counts.get((month, kind), 0) for kind, _k in kinds),
        ]
        for month in months
    ]
    rows.append(_totals_row(rows))
    return Figure(
        name="certificates",
        title=_("证书签发"),
        note=_("每月签发的结业证书、志愿服务记录证明和聘书（含其后撤销的）。"),
        headers=[_("月份"), *(str(label) for _k, label in kinds), _("合计")],
        rows=rows,
        chart="stacked",
        labels=[_month_label(month) for month in months],
        series=[
            Series(str(label), [row[n + 1] for row in rows[:-1]])
            for n, (_k, label) in enumerate(kinds)
        ],
    )


# --- 7. practice sites × weeks -------------------------------------------------------------


def _week_label(week: date) -> str:
    return f"{week:%m-%d}"


def site_weeks(filters: Filters) -> Figure:
    """A heat map of practice sites × weeks: seats booked over seats offered
    (percent) by the class sessions (not cancelled) starting at each site in each
    week of the period. Two queries."""
    sites = list(
        filters.under(PracticeSite.objects.all(), "org_unit__path")
        .order_by("name")
        .values_list("pk", "name")
    )
    sessions = filters.period.filter(
        ClassSession.objects.not_cancelled().filter(
            practice_site__in=[pk for pk, _name in sites]
        ),
        "starts_at",
    )
    found = {
        (row["practice_site"], week_of(row["week"])): row
        for row in sessions.annotate(
            week=TruncWeek("starts_at", tzinfo=timezone.get_current_timezone())
        )
        .order_by()
        .values("practice_site", "week")
        .annotate(seats=Sum("seats"), booked=Sum("confirmed_count"))
    }
    weeks = weeks_of(filters.period)
    rows = []
    for pk, name in sites:
        cells = []
        for week in weeks:
            row = found.get((pk, week))
            cells.append(percent(row["booked"], row["seats"]) if row else None)
        rows.append([name, *cells])
    return Figure(
        name="sites",
        title=_("实践教学点使用率（按周）"),
        note=_(
            "每个实践教学点每周开展的培训场次中，已预约座位占座位数的百分比；"
            "空白表示当周没有场次。列为每周的周一。"
        ),
        headers=[_("实践教学点"), *(_week_label(week) for week in weeks)],
        rows=rows,
        chart="heat",
    )


# --- 8. community spaces × weeks -----------------------------------------------------------


def space_weeks(filters: Filters) -> Figure:
    """A heat map of community spaces × weeks: minutes booked by approved
    activities' sessions (not cancelled) over minutes open, per week of the
    period (a week partly outside it counts only its days in it), as
    volunteers.utilisation rates a month. Three queries."""
    booked_sessions = filters.period.filter(
        filters.under(
            ActivitySession.objects.filter(
                activity__status=Activity.Status.APPROVED, cancelled_at__isnull=True
            ),
            "activity__space__community__path",
        ),
        "starts_at",
    )
    found = {
        (row["activity__space"], week_of(row["week"])): (row["day"] or 0)
        + (row["evening"] or 0)
        for row in booked_sessions.annotate(
            week=TruncWeek("starts_at", tzinfo=timezone.get_current_timezone())
        )
        .order_by()
        .values("activity__space", "week")
        .annotate(day=Sum("day_minutes"), evening=Sum("evening_minutes"))
    }
    used = {space for space, _week in found}
    spaces = [
        (pk, name)
        for pk, name, active in filters.under(
            CommunitySpace.objects.all(), "community__path"
        )
        .order_by("community__path", "name")
        .values_list("pk", "name", "is_active")
        if active or pk in used
    ]
    open_minutes: dict[int, list[int]] = defaultdict(lambda: [0] * 7)
    for space_id, weekday, opens, closes in OpeningHours.objects.filter(
        space__in=[pk for pk, _name in spaces]
    ).values_list("space_id", "weekday", "opens", "closes"):
        open_minutes[space_id][weekday] += sum(split_stretch(opens, closes))
    weeks = weeks_of(filters.period)
    rows = []
    for pk, name in spaces:
        cells = []
        for week in weeks:
            days = [
                week + timedelta(days=n)
                for n in range(7)
                if filters.period.start
                <= week + timedelta(days=n)
                <= filters.period.end
            ]
            opened = sum(open_minutes[pk][day.weekday()] for day in days)
            booked = found.get((pk, week), 0)
            cells.append(rate(booked, opened) if opened or booked else None)
        rows.append([name, *cells])
    return Figure(
        name="spaces",
        title=_("社区空间使用率（按周）"),
        note=_(
            "每个社区空间每周已批准活动预约的时长占开放时长的百分比；"
            "空白表示当周既未开放也无活动。列为每周的周一。"
        ),
        headers=[_("社区空间"), *(_week_label(week) for week in weeks)],
        rows=rows,
        chart="heat",
    )


# --- 9. the level funnel -------------------------------------------------------------------


def level_funnel(filters: Filters) -> Figure:
    """People at each level now (居民 › 志愿者 › 社区能人 › 社区主理人), and how many
    have reached each level or a higher one. Not narrowed by the period: a level
    is where someone stands today. One query."""
    counts = dict(
        filters.under(people(), "org_unit__path")
        .order_by()
        .values("level")
        .annotate(count=Count("pk"))
        .values_list("level", "count")
    )
    levels = list(Level.choices)
    everyone = sum(counts.values())
    rows = []
    for n, (level, label) in enumerate(levels):
        reached = sum(counts.get(higher, 0) for higher, _l in levels[n:])
        rows.append(
            [str(label), counts.get(level, 0), reached, percent(reached, everyone)]
        )
    rows.append([_("合计"), everyone, everyone, percent(everyone, everyone)])
    return Figure(
        name="levels",
        title=_("成长等级漏斗"),
        note=_(
            "当前处于各等级的人数，以及已达到该等级或更高等级的人数和占全部人数之比"
            "（不受时间筛选影响）。"
        ),
        headers=[_("等级"), _("当前人数"), _("达到该等级及以上"), _("占比（%）")],
        rows=rows,
        chart="funnel",
        labels=[str(label) for _l, label in levels],
        series=[Series(_("达到该等级及以上"), [row[2] for row in rows[:-1]])],
    )


# --- 10. points issued and redeemed ----------------------------------------------------------


def points(filters: Filters) -> Figure:
    """Points issued for service and spent on rewards per month (refunds of a
    cancelled redemption shown apart), from the append-only ledger. One query."""
    Kind = PointEntry.Kind
    entries = filters.under(
        filters.period.filter(
            PointEntry.objects.filter(
                kind__in=(Kind.SERVICE, Kind.REDEMPTION, Kind.REFUND)
            ),
            "created_at",
        ),
        "account__person__org_unit__path",
    )
    sums = {
        (month_of(row["month"]), row["kind"]): row["amount"] or 0
        for row in entries.annotate(month=local_month("created_at"))
        .order_by()
        .values("month", "kind")
        .annotate(amount=Sum("amount"))
    }
    months = months_of(filters.period)
    rows = []
    for month in months:
        issued = sums.get((month, Kind.SERVICE), 0)
        redeemed = -sums.get((month, Kind.REDEMPTION), 0)
        refunded = sums.get((month, Kind.REFUND), 0)
        rows.append(
            [_month_label(month), issued, redeemed, refunded, redeemed - refunded]
        )
    rows.append(_totals_row(rows))
    return Figure(
        name="points",
        title=_("积分发放与兑换"),
        note=_(
            "每月因志愿服务发放的积分、兑换权益扣减的积分，以及取消兑换退回的积分。"
        ),
        headers=[
            _("月份"),
            _("发放积分"),
            _("兑换积分"),
            _("取消兑换退回"),
            _("净兑换积分"),
        ],
        rows=rows,
        chart="bar",
        labels=[_month_label(month) for month in months],
        series=[
            Series(_("发放积分"), [row[1] for row in rows[:-1]]),
            Series(_("净兑换积分"), [row[4] for row in rows[:-1]]),
        ],
    )


# --- all of them -----------------------------------------------------------------------------

FIGURES: dict[str, Callable[[Filters], Figure]] = {
    "classes": classes_by_level,
    "person_times": person_times,
    "completion": completion,
    "attendance": attendance,
    "satisfaction": satisfaction,
    "certificates": certificates,
    "sites": site_weeks,
    "spaces": space_weeks,
    "levels": level_funnel,
    "points": points,
}


def all_figures(filters: Filters) -> list[Figure]:
    """Every figure of the dashboard, in the order the page shows them."""
    return [build(filters) for build in FIGURES.values()]
