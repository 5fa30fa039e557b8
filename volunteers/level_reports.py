"""等级报表: the ladder in figures — the level funnel per org unit (people at each
level per street and community, counts and shares), the funnel over time (people
at each level at each month end, from the LevelEvents), effective promotions per
month by target level, and the days it takes to reach each level. Each is a table
(headers and rows) that the admin pages show and courses.reports.exports streams
as CSV or XLSX.

Every report is a fixed number of queries however many people or events there
are; Python only adds up grouped rows (and, for the times, walks one ordered
list of promotion events).
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.reports import Period
from courses.reports.exports import Table
from courses.reports.figures import local_month, month_of
from school.models import Level, OrgUnit, User
from volunteers.models import LevelEvent, Promotion

EVERYTHING = Period()
# Months shown at most in the funnel over time (ten years).
MAX_MONTHS = 120


def people():
    """The people the ladder counts: active accounts (superusers are the system's
    keepers, not residents)."""
    return User.objects.filter(is_active=True, is_superuser=False)


def level_labels() -> list[str]:
    return [str(label) for _value, label in Level.choices]


def _share(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


# --- 1. the funnel per org unit ---------------------------------------------------------


def funnel_by_unit() -> Table:
    """People at each level per street and per community (a unit counts everyone
    in it and below it), with each level's share; people with no unit in a row
    of their own. Two queries."""
    counts = (
        people()
        .order_by()
        .values("org_unit__path", "level")
        .annotate(people=Count("pk"))
        .values_list("org_unit__path", "level", "people")
    )
    units = list(
        OrgUnit.objects.of_kind(OrgUnit.Kind.STREET, OrgUnit.Kind.COMMUNITY)
        .order_by("path")
        .values_list("path", "name", "kind")
    )
    by_unit: dict[str, dict[str, int]] = {path: defaultdict(int) for path, *_ in units}
    nowhere: dict[str, int] = defaultdict(int)
    for path, level, number in counts:
        if not path:
            nowhere[level] += number
            continue
        for end in range(OrgUnit.steplen, len(path) + 1, OrgUnit.steplen):
            if path[:end] in by_unit:
                by_unit[path[:end]][level] += number
    kinds = {value: str(label) for value, label in OrgUnit.Kind.choices}
    headers = [_("单位"), _("层级")]
    for label in level_labels():
        headers += [label, _("%(level)s占比") % {"level": label}]
    headers.append(_("合计"))

    def row(name: str, kind: str, levels: dict[str, int]) -> list:
        total = sum(levels.values())
        cells: list = [name, kind]
        for value in Level.values:
            cells += [levels.get(value, 0), _share(levels.get(value, 0), total)]
        return [*cells, total]

    def rows() -> Iterator[list]:
        for path, name, kind in units:
            yield row(name, kinds[kind], by_unit[path])
        if nowhere:
            yield row(_("未填写单位"), "", nowhere)

    return headers, rows()


# --- 2. the funnel over time ------------------------------------------------------------


def month_ends(first: date, last: date) -> list[date]:
    """The first day of each month from `first`'s to `last`'s (at most MAX_MONTHS,
    the latest kept)."""
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months[-MAX_MONTHS:]


def levels_by_month(period: Period = EVERYTHING) -> list[tuple[date, dict[str, int]]]:
    """People at each level at the end of each month of the period (the current
    month: now), from today's levels walked back through the LevelEvents and the
    dates people joined. Three queries."""
    today = timezone.localdate()
    now = dict(
        people()
        .order_by()
        .values("level")
        .annotate(people=Count("pk"))
        .values_list("level", "people")
    )
    changes = (
        LevelEvent.objects.filter(person__in=people())
        .order_by()
        .annotate(month=local_month("created_at"))
        .values("month", "from_level", "to_level")
        .annotate(people=Count("pk"))
        .values_list("month", "from_level", "to_level", "people")
    )
    first_level = (
        LevelEvent.objects.filter(person=OuterRef("pk"))
        .order_by("created_at", "pk")
        .values("from_level")[:1]
    )
    joiners = (
        people()
        .order_by()
        .annotate(
            month=local_month("date_joined"),
            starting=Coalesce(Subquery(first_level), "level"),
        )
        .values("month", "starting")
        .annotate(people=Count("pk"))
        .values_list("month", "starting", "people")
    )
    moves: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for month, from_level, to_level, number in changes:
        if from_level == to_level:
            continue
        # Undoing a month's moves takes people back from to_level to from_level.
        moves[month_of(month)][to_level] -= number
        moves[month_of(month)][from_level] += number
    joined: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    earliest = today
    for month, starting, number in joiners:
        joined[month_of(month)][starting] += number
        earliest = min(earliest, month_of(month))
    first = period.start or earliest
    last = min(period.end or today, today)
    months = month_ends(first, last) if first <= last else []
    # Walk back from now, one month at a time, undoing each month's moves and
    # joiners once its end is passed.
    counts = {value: now.get(value, 0) for value in Level.values}
    wanted = set(months)
    result = []
    month = today.replace(day=1)
    lowest = months[0] if months else month
    while month >= lowest:
        if month in wanted:
            result.append((month, dict(counts)))
        for value, delta in moves.get(month, {}).items():
            counts[value] += delta
        for value, number in joined.get(month, {}).items():
            counts[value] -= number
        month = (month - timedelta(days=1)).replace(day=1)
    result.reverse()
    return result


def levels_by_month_table(period: Period = EVERYTHING) -> Table:
    """Month, people at each level at its end, total."""
    headers = [_("月份"), *level_labels(), _("合计")]
    rows = [
        [
            f"{month:%Y-%m}",
            *(counts[value] for value in Level.values),
            sum(counts.values()),
        ]
        for month, counts in levels_by_month(period)
    ]
    return headers, rows


# --- 3. promotions per month ------------------------------------------------------------


def promotions_by_month(period: Period = EVERYTHING) -> Table:
    """Effective promotions per month (by when they took effect) and target level.
    One query."""
    found = (
        period.filter(
            Promotion.objects.filter(status=Promotion.Status.EFFECTIVE), "effective_at"
        )
        .order_by()
        .annotate(month=local_month("effective_at"))
        .values("month", "to_level")
        .annotate(people=Count("pk"))
        .values_list("month", "to_level", "people")
    )
    by_month: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for month, to_level, number in found:
        by_month[month_of(month)][to_level] += number
    steps = [value for value in Level.values if value != Level.RESIDENT]
    labels = dict(Level.choices)
    headers = [_("月份"), *(str(labels[value]) for value in steps), _("合计")]
    rows = [
        [
            f"{month:%Y-%m}",
            *(by_month[month].get(value, 0) for value in steps),
            sum(by_month[month].values()),
        ]
        for month in sorted(by_month)
    ]
    return headers, rows


# --- 4. time to each level --------------------------------------------------------------


@dataclass(frozen=True)
class TimeToLevel:
    """Days people took to reach a level: from joining, and from reaching the
    level before it (joining, for a step from 居民)."""

    level: str
    people: int
    from_joining: list[int]
    from_previous: list[int]


def _days(later: datetime, earlier: datetime) -> int:
    return (later - earlier).days


def times_to_level(period: Period = EVERYTHING) -> list[TimeToLevel]:
    """For each level above 居民, the promotions into it (LevelEvents of kind
    promoted reaching it in the period) with days from joining and from the
    previous level. One query, walked in order per person."""
    events = (
        LevelEvent.objects.filter(kind=LevelEvent.Kind.PROMOTED, person__in=people())
        .order_by("person_id", "created_at", "pk")
        .values_list(
            "person_id", "person__date_joined", "from_level", "to_level", "created_at"
        )
    )
    since, until = period.bounds()
    joining: dict[str, list[int]] = defaultdict(list)
    previous: dict[str, list[int]] = defaultdict(list)
    reached: dict[str, datetime] = {}
    person = None
    for person_id, joined, from_level, to_level, at in events.iterator(chunk_size=2000):
        if person_id != person:
            person, reached = person_id, {}
        start = reached.get(from_level, joined)
        reached[to_level] = at
        if (since and at < since) or (until and at >= until):
            continue
        joining[to_level].append(_days(at, joined))
        previous[to_level].append(_days(at, start))
    return [
        TimeToLevel(
            level=value,
            people=len(joining[value]),
            from_joining=joining[value],
            from_previous=previous[value],
        )
        for value in Level.values
        if value != Level.RESIDENT
    ]


def _median(values: list[int]):
    return median(values) if values else None


def _average(values: list[int]):
    return round(sum(values) / len(values), 1) if values else None


def times_table(period: Period = EVERYTHING) -> Table:
    """Level, people promoted, median and average days from joining, median and
    average days from the previous level."""
    labels = dict(Level.choices)
    headers = [
        _("等级"),
        _("晋级人数"),
        _("自注册起天数（中位数）"),
        _("自注册起天数（平均）"),
        _("自上一等级起天数（中位数）"),
        _("自上一等级起天数（平均）"),
    ]
    rows = [
        [
            str(labels[row.level]),
            row.people,
            _median(row.from_joining),
            _average(row.from_joining),
            _median(row.from_previous),
            _average(row.from_previous),
        ]
        for row in times_to_level(period)
    ]
    return headers, rows
