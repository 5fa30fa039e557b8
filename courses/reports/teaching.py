"""讲师课时: the hours each instructor delivered, per month, added up in the
database; the volunteers app credits service records from it."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Sum
from django.utils import timezone

from courses.models import AttendanceRecord, ClassSession
from courses.reports.figures import ATTENDED, Period, local_month, month_of
from school.models import User


@dataclass(frozen=True)
class TeachingHours:
    """One instructor's delivered sessions in one month and their hours."""

    instructor_id: int
    name: str
    month: date
    sessions: int
    hours: Decimal


def _hours(duration) -> Decimal:
    if isinstance(duration, timedelta):
        seconds = Decimal(duration.days * 86400 + duration.seconds)
    else:  # microseconds, where a backend returns the raw number
        seconds = Decimal(duration or 0) / 1_000_000
    return (seconds / 3600).quantize(Decimal("0.01"))


def teaching_hours(
    instructor: User | None = None,
    *,
    first_month: date | None = None,
    last_month: date | None = None,
) -> list[TeachingHours]:
    """讲师课时: each instructor's delivered class-session hours per month (by the
    month a session starts). Delivered: ended, not cancelled, with at least one
    present or late record; every instructor of a session is credited its whole
    duration. The volunteers app credits service records from this. Two queries."""
    attended = AttendanceRecord.objects.filter(
        session_id=OuterRef("classsession_id"), status__in=ATTENDED
    )
    teaching = ClassSession.instructors.through.objects.filter(
        Exists(attended),
        classsession__cancelled_at__isnull=True,
        classsession__ends_at__lte=timezone.now(),
    )
    if instructor is not None:
        teaching = teaching.filter(user=instructor)
    teaching = Period.months(first_month, last_month).filter(
        teaching, "classsession__starts_at"
    )
    rows = list(
        teaching.annotate(month=local_month("classsession__starts_at"))
        .order_by()
        .values("user", "month")
        .annotate(
            sessions=Count("classsession"),
            duration=Sum(F("classsession__ends_at") - F("classsession__starts_at")),
        )
    )
    names = dict(
        User.objects.filter(pk__in={row["user"] for row in rows}).values_list(
            "pk", "real_name"
        )
    )
    result = [
        TeachingHours(
            instructor_id=row["user"],
            name=names.get(row["user"], ""),
            month=month_of(row["month"]),
            sessions=row["sessions"],
            hours=_hours(row["duration"]),
        )
        for row in rows
    ]
    result.sort(key=lambda row: (row.name, row.instructor_id, row.month))
    return result
