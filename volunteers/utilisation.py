"""How much the community spaces are used (空间使用率): per space and month, the
hours it was open, booked by approved activities and actually used (someone came),
split at EVENING_FROM into day and evening, with 人次 and the booked/open rates.

Open hours come from each space's weekly OpeningHours laid over the calendar days
of the period; booked and attended hours are the `day_minutes` /
`evening_minutes` fixed on each session, summed by the database grouped by space
and local month. The report takes the same few queries however many sessions,
people or records there are.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import AttendanceRecord
from courses.reports.exports import Table
from courses.reports.figures import ATTENDED, Period, local_month, month_of
from school.models import OrgUnit
from volunteers.activities import EVENING_FROM
from volunteers.models import Activity, ActivitySession, CommunitySpace, OpeningHours

# Months shown when none are asked for: this one and the five before it.
DEFAULT_MONTHS = 6


@dataclass
class Figures:
    """Minutes open, booked and attended (day and evening) and 人次 of one space
    and month, or a sum of such."""

    open_day: int = 0
    open_evening: int = 0
    booked_day: int = 0
    booked_evening: int = 0
    attended_day: int = 0
    attended_evening: int = 0
    person_times: int = 0

    def add(self, other: "Figures") -> "Figures":
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    @property
    def open_all(self) -> int:
        return self.open_day + self.open_evening

    @property
    def booked_all(self) -> int:
        return self.booked_day + self.booked_evening

    @property
    def attended_all(self) -> int:
        return self.attended_day + self.attended_evening

    @property
    def day_rate(self) -> Decimal | None:
        return rate(self.booked_day, self.open_day)

    @property
    def evening_rate(self) -> Decimal | None:
        return rate(self.booked_evening, self.open_evening)

    @property
    def all_rate(self) -> Decimal | None:
        return rate(self.booked_all, self.open_all)


def rate(booked: int, open_: int) -> Decimal | None:
    """Booked over open as a percentage to one decimal; None when never open."""
    if not open_:
        return None
    return (Decimal(100 * booked) / Decimal(open_)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def hours(minutes: int) -> Decimal:
    """Minutes as hours to one decimal."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SpaceMonth:
    space: CommunitySpace
    month: date
    figures: Figures


@dataclass
class Utilisation:
    """The report: a row per space and month, totals per community, per month
    and overall."""

    period: Period
    months: list[date]
    rows: list[SpaceMonth] = field(default_factory=list)
    by_community: list[tuple[OrgUnit, Figures]] = field(default_factory=list)
    by_month: list[tuple[date, Figures]] = field(default_factory=list)
    total: Figures = field(default_factory=Figures)


# --- the calendar -----------------------------------------------------------------


def _next_month(month: date) -> date:
    return (month.replace(day=1) + timedelta(days=32)).replace(day=1)


def default_period(today: date | None = None) -> Period:
    """This month and the DEFAULT_MONTHS - 1 before it."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    for _step in range(DEFAULT_MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return Period.months(first, today)


def months_of(period: Period) -> list[date]:
    """The first day of each month the period touches."""
    month, months = period.start.replace(day=1), []
    while month <= period.end:
        months.append(month)
        month = _next_month(month)
    return months


def weekdays_in(period: Period, month: date) -> list[int]:
    """How many Mondays … Sundays of `month` lie inside the period."""
    first = max(month, period.start)
    last = min(_next_month(month) - timedelta(days=1), period.end)
    counts = [0] * 7
    day = first
    while day <= last:
        counts[day.weekday()] += 1
        day += timedelta(days=1)
    return counts


def _minutes(opens, closes) -> int:
    anchor = date(2000, 1, 1)
    return int(
        (
            datetime.combine(anchor, closes) - datetime.combine(anchor, opens)
        ).total_seconds()
        // 60
    )


def split_stretch(opens, closes) -> tuple[int, int]:
    """(day, evening) minutes of an opening stretch, split at EVENING_FROM."""
    if closes <= EVENING_FROM:
        return _minutes(opens, closes), 0
    if opens >= EVENING_FROM:
        return 0, _minutes(opens, closes)
    return _minutes(opens, EVENING_FROM), _minutes(EVENING_FROM, closes)


# --- the figures --------------------------------------------------------------------


def _spaces(unit: OrgUnit | None):
    spaces = CommunitySpace.objects.select_related("community")
    if unit is not None:
        spaces = spaces.filter(community__path__startswith=unit.path)
    return spaces


def _booked(period: Period, unit: OrgUnit | None) -> dict:
    """(space, month) → booked and attended minutes, in one grouped query."""
    attended = AttendanceRecord.objects.filter(
        session_id=OuterRef("pk"), status__in=ATTENDED
    )
    sessions = ActivitySession.objects.filter(
        activity__status=Activity.Status.APPROVED, cancelled_at__isnull=True
    )
    if unit is not None:
        sessions = sessions.filter(
            activity__space__community__path__startswith=unit.path
        )
    rows = (
        period.filter(sessions, "starts_at")
        .annotate(came=Exists(attended))
        .annotate(month=local_month("starts_at"))
        .values("activity__space", "month")
        .annotate(
            booked_day=Sum("day_minutes"),
            booked_evening=Sum("evening_minutes"),
            attended_day=Sum("day_minutes", filter=Q(came=True)),
            attended_evening=Sum("evening_minutes", filter=Q(came=True)),
        )
        .order_by()
    )
    return {(row["activity__space"], month_of(row["month"])): row for row in rows}


def _person_times(period: Period, unit: OrgUnit | None) -> dict:
    """(space, month) → attended records of counted activity sessions."""
    session = "session__activitysession"
    records = AttendanceRecord.objects.filter(
        status__in=ATTENDED,
        **{
            f"{session}__activity__status": Activity.Status.APPROVED,
            f"{session}__cancelled_at__isnull": True,
        },
    )
    if unit is not None:
        records = records.filter(
            **{f"{session}__activity__space__community__path__startswith": unit.path}
        )
    rows = (
        period.filter(records, "session__starts_at")
        .annotate(month=local_month("session__starts_at"))
        .values(f"{session}__activity__space", "month")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {
        (row[f"{session}__activity__space"], month_of(row["month"])): row["count"]
        for row in rows
    }


def space_utilisation(
    period: Period | None = None, *, unit: OrgUnit | None = None
) -> Utilisation:
    """The utilisation of every space (of the street or community `unit`, if
    given) per local month of the period; a month partly inside the period counts
    only its days in it. Spaces no longer open show only when they were used."""
    period = period or default_period()
    if period.start is None or period.end is None:
        fallback = default_period()
        period = Period(period.start or fallback.start, period.end or fallback.end)
    months = months_of(period)
    calendar = {month: weekdays_in(period, month) for month in months}
    booked = _booked(period, unit)
    person_times = _person_times(period, unit)
    used = {space for space, _month in booked}
    spaces = [space for space in _spaces(unit) if space.is_active or space.pk in used]
    stretches = defaultdict(list)
    for weekday, opens, closes, space_id in OpeningHours.objects.filter(
        space__in=[space.pk for space in spaces]
    ).values_list("weekday", "opens", "closes", "space_id"):
        stretches[space_id].append((weekday, *split_stretch(opens, closes)))

    report = Utilisation(period=period, months=months)
    communities: dict[int, tuple[OrgUnit, Figures]] = {}
    per_month = {month: Figures() for month in months}
    for space in sorted(spaces, key=lambda s: (s.community.path, s.name)):
        for month in months:
            counts = calendar[month]
            figures = Figures(
                open_day=sum(counts[wd] * day for wd, day, _eve in stretches[space.pk]),
                open_evening=sum(
                    counts[wd] * eve for wd, _day, eve in stretches[space.pk]
                ),
            )
            if row := booked.get((space.pk, month)):
                figures.booked_day = row["booked_day"] or 0
                figures.booked_evening = row["booked_evening"] or 0
                figures.attended_day = row["attended_day"] or 0
                figures.attended_evening = row["attended_evening"] or 0
            figures.person_times = person_times.get((space.pk, month), 0)
            report.rows.append(SpaceMonth(space, month, figures))
            community = communities.setdefault(
                space.community_id, (space.community, Figures())
            )
            community[1].add(figures)
            per_month[month].add(figures)
            report.total.add(figures)
    report.by_community = list(communities.values())
    report.by_month = list(per_month.items())
    return report


# --- as a table ---------------------------------------------------------------------


def headers() -> list[str]:
    return [
        _("空间"),
        _("社区"),
        _("月份"),
        _("日间开放（小时）"),
        _("夜间开放（小时）"),
        _("日间预约（小时）"),
        _("夜间预约（小时）"),
        _("实际使用（小时）"),
        _("人次"),
        _("日间使用率（%）"),
        _("夜间使用率（%）"),
        _("总使用率（%）"),
    ]


def figure_cells(figures: Figures) -> list:
    return [
        float(hours(figures.open_day)),
        float(hours(figures.open_evening)),
        float(hours(figures.booked_day)),
        float(hours(figures.booked_evening)),
        float(hours(figures.attended_all)),
        figures.person_times,
        *(
            None if value is None else float(value)
            for value in (figures.day_rate, figures.evening_rate, figures.all_rate)
        ),
    ]


def table(report: Utilisation) -> Table:
    """A row per space and month, then a subtotal per community after its spaces,
    then the total."""
    rows = []
    by_community = {community.pk: figures for community, figures in report.by_community}
    current = None
    for row in report.rows:
        if current is not None and current.pk != row.space.community_id:
            rows.append(_subtotal(current, by_community[current.pk]))
        current = row.space.community
        rows.append(
            [
                row.space.name,
                row.space.community.name,
                f"{row.month:%Y-%m}",
                *figure_cells(row.figures),
            ]
        )
    if current is not None:
        rows.append(_subtotal(current, by_community[current.pk]))
        rows.append([_("总计"), "", _("全部月份"), *figure_cells(report.total)])
    return headers(), rows


def _subtotal(community: OrgUnit, figures: Figures) -> list:
    return [_("小计"), community.name, _("全部月份"), *figure_cells(figures)]
