"""我的成长: the whole story of one person on the ladder 居民 › 志愿者 › 社区能人 ›
社区主理人 — where they stand and since when, what the next step still needs,
their certificates, hours and points, attendance, applications and promotions,
level events, and the courses a higher level opens.

Read in a fixed number of queries however many certificates, entries or
enrolments the person has; the points history is paginated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator

from certificates.models import Certificate
from courses.models import CoursePage, Enrollment
from courses.selectors.attendance import AttendanceRate, attendance_rates
from school.models import Level, User
from volunteers import ledger
from volunteers.ladder import Requirement, StepProgress, next_step
from volunteers.models import LevelEvent, PointEntry, Promotion, RoundApplication

HISTORY_PER_PAGE = 20


@dataclass(frozen=True)
class Rung:
    """One level of the ladder as seen by the person: reached, or where they stand."""

    level: str
    label: str
    reached: bool
    current: bool


@dataclass(frozen=True)
class EnrolmentAttendance:
    """One of the person's enrolments with its attendance rate."""

    enrollment: Enrollment
    rate: AttendanceRate


@dataclass(frozen=True)
class LockedCourse:
    """A course above the person's level and the level that opens it."""

    course: CoursePage
    opened_by: str
    opened_by_label: str


@dataclass
class Growth:
    """Everything 我的成长 shows, read once."""

    person: User
    ladder: list[Rung]
    since: LevelEvent | None
    next_step: NextStep | None
    certificates: list[Certificate]
    balance: ledger.Balance
    attendance: list[EnrolmentAttendance]
    promotions: list[Promotion]
    applications: list[RoundApplication]
    events: list[LevelEvent]
    locked_courses: list[LockedCourse] = field(default_factory=list)

    @property
    def level_label(self) -> str:
        return str(Level(self.person.level).label)


def ladder_of(level: str) -> list[Rung]:
    """The four rungs, those at or below `level` reached, `level` marked current."""
    rank = Level.rank(level)
    return [
        Rung(
            level=value,
            label=str(label),
            reached=Level.rank(value) <= rank,
            current=value == level,
        )
        for value, label in Level.choices
    ]


@dataclass(frozen=True)
class NextStep:
    """The next rung, each of its requirements met or not, and the lines of what
    it still needs ("还差 12 小时服务", "需完成专项技能班")."""

    level: str
    label: str
    needs: list[str]
    requirements: list[Requirement] = field(default_factory=list)
    applied_for: bool = False


def as_next_step(step: StepProgress | None) -> NextStep | None:
    """The ladder's answer laid out for the page (None at the top)."""
    if step is None:
        return None
    return NextStep(
        level=step.level,
        label=step.level_label,
        needs=list(step.missing),
        requirements=list(step.requirements),
        applied_for=step.rule.needs_application,
    )


def level_events_of(person: User) -> list[LevelEvent]:
    """The person's level changes and flags, newest first."""
    return list(
        LevelEvent.objects.filter(person=person)
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )


def since_event(person: User, events: list[LevelEvent]) -> LevelEvent | None:
    """The event that brought the person to the level they hold now (None when
    they have held it from the start)."""
    for event in events:
        if event.to_level == person.level and event.from_level != person.level:
            return event
    return None


def completion_certificates_of(person: User) -> list[Certificate]:
    """The person's completion certificates with course and tier, newest first."""
    return list(
        Certificate.objects.of_kind(Certificate.Kind.COMPLETION)
        .filter(holder=person)
        .select_related("enrollment__training_class__course")
        .order_by("-issued_at", "-pk")
    )


def attendance_of(person: User) -> list[EnrolmentAttendance]:
    """Each live enrolment of the person with its attendance rate (two queries)."""
    enrolments = list(
        Enrollment.objects.filter(trainee=person, status__in=Enrollment.LIVE_STATUSES)
        .select_related("training_class__course")
        .order_by("-created_at", "-pk")
    )
    rates = attendance_rates(e.pk for e in enrolments)
    return [EnrolmentAttendance(e, rates[e.pk]) for e in enrolments]


def locked_courses_for(person: User) -> list[LockedCourse]:
    """Live courses whose minimum level is above the person's, with the level
    that opens each."""
    rank = Level.rank(person.level)
    above = [value for value in Level.values if Level.rank(value) > rank]
    if not above:
        return []
    courses = (
        CoursePage.objects.live()
        .public()
        .filter(minimum_level__in=above)
        .order_by("minimum_level", "title")
    )
    return [
        LockedCourse(
            course=course,
            opened_by=course.minimum_level,
            opened_by_label=str(Level(course.minimum_level).label),
        )
        for course in sorted(
            courses, key=lambda c: (Level.rank(c.minimum_level), c.title)
        )
    ]


def growth_of(person: User) -> Growth:
    """我的成长 for `person` (only ever the person asking), in a fixed number of
    queries."""
    events = level_events_of(person)
    return Growth(
        person=person,
        ladder=ladder_of(person.level),
        since=since_event(person, events),
        next_step=as_next_step(next_step(person)),
        certificates=completion_certificates_of(person),
        balance=ledger.balance_of(person),
        attendance=attendance_of(person),
        promotions=list(
            Promotion.objects.filter(person=person)
            .select_related("recruitment_round")
            .order_by("-created_at", "-pk")
        ),
        applications=list(
            RoundApplication.objects.filter(person=person)
            .select_related("recruitment_round")
            .order_by("-created_at", "-pk")
        ),
        events=events,
        locked_courses=locked_courses_for(person),
    )


def points_history(person: User, page_number: Any) -> Page:
    """The person's latest points entries, HISTORY_PER_PAGE a page (two queries:
    the count and the page)."""
    entries = PointEntry.objects.filter(account__person=person).order_by(
        "-created_at", "-pk"
    )
    return Paginator(entries, HISTORY_PER_PAGE).get_page(page_number)
