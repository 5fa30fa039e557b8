"""The figures of the attendance reports (统计报表), added up in the database.

Every selector here takes a fixed number of queries however many classes,
sessions or records there are: the database groups and counts, Python only lays
the groups out. Only class sessions count (a community activity's records are
not a class's), and a cancelled session counts nowhere (counted_records).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Value,
    When,
)
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import (
    AttendanceRecord,
    ClassLevel,
    ClassSession,
    Enrollment,
    TrainingClass,
)
from courses.selectors.attendance import (
    NO_MARKS,
    RATE_AGGREGATES,
    AttendanceRate,
    attendance_rates,
    counted_records,
    rates_grouped_by,
)
from school.models import OrgUnit, PracticeSite, SchoolPage, User
from school.selectors import unit_names

Status = AttendanceRecord.Status
ATTENDED = (Status.PRESENT, Status.LATE)
CLASS = "session__classsession__training_class"


# --- the period a report covers ---------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The dates a report covers, both inclusive, in local time; either end may be
    open. Sessions belong to the day (and month) they start on."""

    start: date | None = None
    end: date | None = None

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """[from, until) as aware moments."""
        zone = timezone.get_current_timezone()
        since = until = None
        if self.start:
            since = datetime.combine(self.start, time.min, tzinfo=zone)
        if self.end:
            until = datetime.combine(self.end + timedelta(days=1), time.min, zone)
        return since, until

    def filter(self, queryset, starts_at: str):
        """`queryset` narrowed to rows whose `starts_at` lies in the period."""
        since, until = self.bounds()
        if since:
            queryset = queryset.filter(**{f"{starts_at}__gte": since})
        if until:
            queryset = queryset.filter(**{f"{starts_at}__lt": until})
        return queryset

    @classmethod
    def months(cls, first: date | None, last: date | None) -> "Period":
        """From the first day of `first`'s month to the last day of `last`'s."""
        end = None
        if last:
            following = (last.replace(day=1) + timedelta(days=32)).replace(day=1)
            end = following - timedelta(days=1)
        return cls(first.replace(day=1) if first else None, end)


EVERYTHING = Period()


def class_records(period: Period = EVERYTHING):
    """Records of held (not cancelled) class sessions starting in the period."""
    records = counted_records().filter(session__classsession__isnull=False)
    return period.filter(records, "session__starts_at")


def month_of(moment) -> date:
    """The local month (its first day) of a TruncMonth value."""
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment) if timezone.is_aware(moment) else moment
        return moment.date().replace(day=1)
    return moment.replace(day=1)


def local_month(expression: str) -> TruncMonth:
    """The local month a moment falls in, truncated by the database."""
    return TruncMonth(expression, tzinfo=timezone.get_current_timezone())


# --- 1. one class: trainees × sessions ----------------------------------------------


@dataclass(frozen=True)
class GridRow:
    """One trainee of the class: their unit, a mark per session (the status, or ""
    for none) and their rate."""

    enrollment: Enrollment
    unit: str
    marks: tuple[str, ...]
    rate: AttendanceRate

    @property
    def trainee(self) -> User:
        return self.enrollment.trainee


@dataclass(frozen=True)
class ClassGrid:
    """A class's attendance: its held sessions, a row per trainee and the class's
    own rate over every record of its sessions."""

    training_class: TrainingClass
    sessions: list[ClassSession]
    rows: list[GridRow]
    rate: AttendanceRate


def class_grid(training_class: TrainingClass) -> ClassGrid:
    """Trainees (live enrolments) × held sessions of the class, each cell the mark
    (出勤/迟到/请假/缺勤) or none; six queries however large the class."""
    sessions = list(
        ClassSession.objects.not_cancelled()
        .filter(training_class=training_class)
        .select_related("practice_site")
        .order_by("starts_at", "pk")
    )
    enrollments = list(
        Enrollment.objects.live()
        .filter(training_class=training_class)
        .select_related("trainee__org_unit")
        .order_by("trainee__real_name", "pk")
    )
    marks = {
        (trainee, session): status
        for trainee, session, status in AttendanceRecord.objects.filter(
            session_id__in=[session.pk for session in sessions]
        ).values_list("trainee_id", "session_id", "status")
    }
    rates = attendance_rates(enrollment.pk for enrollment in enrollments)
    units = unit_names([enrollment.trainee.org_unit for enrollment in enrollments])
    class_rate = rates_grouped_by(
        class_records().filter(**{CLASS: training_class}), CLASS
    ).get(training_class.pk, NO_MARKS)
    rows = [
        GridRow(
            enrollment=enrollment,
            unit=units.get(enrollment.trainee.org_unit_id, ""),
            marks=tuple(
                marks.get((enrollment.trainee_id, session.pk), "")
                for session in sessions
            ),
            rate=rates[enrollment.pk],
        )
        for enrollment in enrollments
    ]
    return ClassGrid(training_class, sessions, rows, class_rate)


# --- 2. practice sites and org units --------------------------------------------------


@dataclass(frozen=True)
class PlaceFigures:
    """What happened at one place (a site, or a unit's members): sessions held,
    person-times (人次: present + late) and the rate."""

    name: str
    sessions: int
    rate: AttendanceRate = NO_MARKS

    @property
    def person_times(self) -> int:
        return self.rate.attended


def held_sessions(period: Period = EVERYTHING):
    """Class sessions that took place: not cancelled, over by now, in the period."""
    sessions = ClassSession.objects.not_cancelled().filter(ends_at__lte=timezone.now())
    return period.filter(sessions, "starts_at")


def site_figures(period: Period = EVERYTHING) -> list[PlaceFigures]:
    """Per practice site (and 线上 for online sessions): sessions held, person-times
    and rate in the period; three queries."""
    held = dict(
        held_sessions(period)
        .order_by()
        .values("practice_site")
        .annotate(count=Count("pk"))
        .values_list("practice_site", "count")
    )
    rates = rates_grouped_by(
        class_records(period), "session__classsession__practice_site"
    )
    rows = [
        PlaceFigures(site.name, held.get(site.pk, 0), rates.get(site.pk, NO_MARKS))
        for site in PracticeSite.objects.order_by("name")
    ]
    if held.get(None) or None in rates:
        rows.append(
            PlaceFigures(_("线上"), held.get(None, 0), rates.get(None, NO_MARKS))
        )
    return rows


def unit_kinds() -> list[tuple[str, str]]:
    """The kinds of unit a report may be grouped by (街道, 社区, 网格)."""
    return [(kind.value, kind.label) for kind in OrgUnit.Kind if kind != "district"]


def unit_figures(
    period: Period = EVERYTHING, *, kind: str = OrgUnit.Kind.STREET
) -> list[PlaceFigures]:
    """Per unit of one kind, its members' records and those of every unit beneath
    it (a prefix of the trainee's unit's path): sessions they attended, person-times
    and rate. Three queries: the database groups by the path's prefix."""
    units = list(OrgUnit.objects.filter(kind=kind).order_by("path"))
    names = unit_names(units)
    found: dict[str, dict] = {}
    for length in {unit.depth * OrgUnit.steplen for unit in units}:
        rows = (
            class_records(period)
            .filter(trainee__org_unit__depth__gte=length // OrgUnit.steplen)
            .annotate(prefix=Substr("trainee__org_unit__path", 1, length))
            .order_by()
            .values("prefix")
            .annotate(sessions=Count("session", distinct=True), **RATE_AGGREGATES)
        )
        found.update({row["prefix"]: row for row in rows})
    result = []
    for unit in units:
        row = found.get(unit.path)
        if row is None:
            result.append(PlaceFigures(names.get(unit.pk, unit.name), 0))
            continue
        rate = AttendanceRate(
            present=row["present"],
            late=row["late"],
            excused=row["excused"],
            absent=row["absent"],
            credit=Decimal(row["credit"] or 0),
        )
        result.append(
            PlaceFigures(names.get(unit.pk, unit.name), row["sessions"], rate)
        )
    return result


# --- 3. one trainee across classes ----------------------------------------------------


@dataclass(frozen=True)
class TraineeClassRow:
    """One class of the trainee: the enrolment, its rate and the marks in session
    order as (session start, status)."""

    enrollment: Enrollment
    rate: AttendanceRate
    marks: list[tuple[datetime, str]] = field(default_factory=list)


def trainee_classes(trainee: User) -> list[TraineeClassRow]:
    """Every class the trainee enrolled in (newest first) with rate and marks;
    three queries."""
    enrollments = list(
        Enrollment.objects.filter(trainee=trainee)
        .select_related("training_class__course")
        .order_by("-created_at", "-pk")
    )
    rates = attendance_rates(enrollment.pk for enrollment in enrollments)
    marks = defaultdict(list)
    for enrollment_id, starts_at, status in (
        counted_records()
        .filter(trainee=trainee, enrollment__isnull=False)
        .order_by("session__starts_at", "pk")
        .values_list("enrollment_id", "session__starts_at", "status")
    ):
        marks[enrollment_id].append((starts_at, status))
    return [
        TraineeClassRow(enrollment, rates[enrollment.pk], marks[enrollment.pk])
        for enrollment in enrollments
    ]


# --- 4. person-times per month by school and by level ----------------------------------


@dataclass(frozen=True)
class MonthFigures:
    """Person-times (人次) of one month, by school and by class level, in the
    order of `PersonTimes.schools` and `PersonTimes.levels`."""

    month: date
    by_school: tuple[int, ...]
    by_level: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.by_school)


@dataclass(frozen=True)
class PersonTimes:
    schools: list[tuple[int, str]]
    levels: list[tuple[str, str]]
    months: list[MonthFigures]


def _school_of_course() -> tuple[list[SchoolPage], Case]:
    """The schools and an expression naming, per record, the school whose page
    is the nearest above the class's course (the longest path prefix: the
    Volunteer Academy sits inside the Grid School's tree)."""
    schools = list(SchoolPage.objects.order_by("-depth", "path"))
    course_path = f"{CLASS}__course__path"
    return schools, Case(
        *(
            When(**{f"{course_path}__startswith": school.path}, then=Value(school.path))
            for school in schools
        ),
        default=Value(""),
        output_field=CharField(),
    )


def person_times_by_month(period: Period = EVERYTHING) -> PersonTimes:
    """人次 (present and late records of held class sessions) per month, by school
    and by class level; three queries."""
    schools, school = _school_of_course()
    rows = (
        class_records(period)
        .filter(status__in=ATTENDED)
        .annotate(
            month=local_month("session__starts_at"),
            school=school,
            level=F(f"{CLASS}__level"),
        )
        .order_by()
        .values("month", "school", "level")
        .annotate(count=Count("pk"))
    )
    counts: dict[date, dict] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        month = counts[month_of(row["month"])]
        month[("school", row["school"])] += row["count"]
        month[("level", row["level"])] += row["count"]
    ordered_schools = sorted(schools, key=lambda school: school.path)
    levels = list(ClassLevel.choices)
    return PersonTimes(
        schools=[(school.pk, school.title) for school in ordered_schools],
        levels=levels,
        months=[
            MonthFigures(
                month=month,
                by_school=tuple(
                    counts[month][("school", school.path)] for school in ordered_schools
                ),
                by_level=tuple(counts[month][("level", level)] for level, _ in levels),
            )
            for month in sorted(counts)
        ],
    )


def status_labels() -> dict[str, str]:
    """出勤/迟到/请假/缺勤 by status value, in the active language."""
    return {value: str(label) for value, label in Status.choices}
