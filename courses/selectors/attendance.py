"""Attendance rates: what an enrolment's (or a class's, a site's, a unit's) marks
add up to, in the database. A rate is the credit earned over the marks that count
(excused ones do not); with no counted mark there is no rate yet."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from courses.models import AttendanceChange, AttendanceRecord, Booking, Enrollment

Status = AttendanceRecord.Status


@dataclass(frozen=True)
class AttendanceRate:
    """Marks of one enrolment (or any group of records) and the rate they give."""

    present: int = 0
    late: int = 0
    excused: int = 0
    absent: int = 0
    credit: Decimal = Decimal("0")

    @property
    def counted(self) -> int:
        return self.present + self.late + self.absent

    @property
    def attended(self) -> int:
        """Present or late: person-times (人次)."""
        return self.present + self.late

    @property
    def percent(self) -> int | None:
        """The rate as a whole percentage (rounded down), None before any counted
        mark."""
        if not self.counted:
            return None
        return int(self.credit * 100 / self.counted)

    def meets(self, threshold: int) -> bool:
        """At or above a threshold in percent (exactly, not the rounded figure)."""
        if threshold <= 0:
            return True
        return bool(self.counted) and self.credit * 100 >= threshold * self.counted


NO_MARKS = AttendanceRate()

RATE_AGGREGATES = {
    "present": Count("pk", filter=Q(status=Status.PRESENT)),
    "late": Count("pk", filter=Q(status=Status.LATE)),
    "excused": Count("pk", filter=Q(status=Status.EXCUSED)),
    "absent": Count("pk", filter=Q(status=Status.ABSENT)),
    "credit": Sum("credit", filter=~Q(status=Status.EXCUSED)),
}


def _rate(row: dict) -> AttendanceRate:
    return AttendanceRate(
        present=row["present"],
        late=row["late"],
        excused=row["excused"],
        absent=row["absent"],
        credit=Decimal(row["credit"] or 0),
    )


def counted_records():
    """Records of sessions that were held (not cancelled)."""
    return AttendanceRecord.objects.filter(session__cancelled_at__isnull=True)


def rates_grouped_by(records, field: str) -> dict:
    """Rates of `records` grouped by one field (enrollment, session, trainee …),
    in one query."""
    rows = records.order_by().values(field).annotate(**RATE_AGGREGATES)
    return {row[field]: _rate(row) for row in rows}


def attendance_rates(enrollment_ids: Iterable[int]) -> dict[int, AttendanceRate]:
    """Each enrolment's rate, in one query (NO_MARKS for those without marks)."""
    ids = list(enrollment_ids)
    found = rates_grouped_by(
        counted_records().filter(enrollment_id__in=ids), "enrollment"
    )
    return {pk: found.get(pk, NO_MARKS) for pk in ids}


def attendance_rate(enrollment: Enrollment) -> AttendanceRate:
    return attendance_rates([enrollment.pk])[enrollment.pk]


def session_rate(session_id: int) -> AttendanceRate:
    """The marks of one session added up (its summary on the roster), one query."""
    row = AttendanceRecord.objects.filter(session_id=session_id).aggregate(
        **RATE_AGGREGATES
    )
    return _rate(row)


@dataclass(frozen=True)
class RosterRow:
    """One confirmed booking on the attendance roster: who, their phone (whole or
    masked as the viewer may see it) and their current mark ("" before any)."""

    booking_id: int
    name: str
    phone: str
    status: str
    marked_by: str


def attendance_roster(session_id: int, *, full_phones: bool) -> list[RosterRow]:
    """The session's confirmed bookings in the order they got their seats, each
    with its mark, in one query."""
    bookings = (
        Booking.objects.confirmed()
        .filter(session_id=session_id)
        .select_related("trainee", "attendance__marked_by")
        .order_by("confirmed_at", "pk")
    )
    rows = []
    for booking in bookings:
        record = getattr(booking, "attendance", None)
        trainee = booking.trainee
        rows.append(
            RosterRow(
                booking_id=booking.pk,
                name=trainee.real_name,
                phone=trainee.phone if full_phones else trainee.masked_phone,
                status=record.status if record else "",
                marked_by=record.marked_by.real_name
                if record and record.marked_by
                else "",
            )
        )
    return rows


def attendance_history(session_id: int) -> list[AttendanceChange]:
    """Every change of the session's marks, newest first, with who made it."""
    return list(
        AttendanceChange.objects.filter(record__session_id=session_id)
        .select_related("record__trainee", "actor")
        .order_by("-created_at", "-pk")
    )
