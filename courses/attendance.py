"""Taking attendance: one mark for one booked person (a scan, a self check-in, a
correction) or a whole session's roster in one save, and what follows any change
of marks — the enrolments concerned are looked at again for completion and for
absence warnings, in a job after commit.

A mark belongs to a confirmed booking (a walk-in is one). Each change writes an
AttendanceChange in the same transaction; changing a mark once the session has
ended is a correction and needs a reason. The credit a mark earns is fixed when it
is made: present 1, late the school's `late_credit`, absent 0; excused counts
neither way. Too many absences in a class warn the trainee and its instructors,
once.
"""

import sqlite3
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from courses.models import (
    AbsenceWarning,
    AttendanceChange,
    AttendanceRecord,
    BookableSession,
    Booking,
    ClassSession,
    Enrollment,
)
from school.models import User
from school.selectors import school_of_page

Status = AttendanceRecord.Status
Method = AttendanceRecord.Method

# A session's school decides what a late arrival is worth; sessions outside a
# school (or a school not found) count it as half.
DEFAULT_LATE_CREDIT = 50


def late_credit_for(session: BookableSession) -> int:
    """The late credit (percent) of the school the session's course belongs to."""
    if isinstance(session, ClassSession):
        school = school_of_page(session.training_class.course)
        if school is not None:
            return school.late_credit
    return DEFAULT_LATE_CREDIT


def credit_for(status: str, late_credit: int) -> Decimal:
    """What one mark counts toward the attendance rate (0 to 1)."""
    if status == Status.PRESENT:
        return Decimal("1")
    if status == Status.LATE:
        return (Decimal(late_credit) / 100).quantize(Decimal("0.01"))
    return Decimal("0")


def is_correction(session: BookableSession, record: AttendanceRecord | None) -> bool:
    """Changing an existing mark after the session has ended."""
    return record is not None and timezone.now() >= session.ends_at


def enrollments_for(
    session: BookableSession, trainee_ids: Iterable[int]
) -> dict[int, int]:
    """Each trainee's enrolment id in the class of a class session (completed ones
    too), which their marks count toward, in one query; empty for other sessions."""
    ids = set(trainee_ids)
    if not ids or not isinstance(session, ClassSession):
        return {}
    found: dict[int, int] = {}
    rows = (
        Enrollment.objects.filter(
            training_class_id=session.training_class_id, trainee_id__in=ids
        )
        .exclude(status__in=[Enrollment.Status.REJECTED])
        .order_by("trainee_id", "-pk")
        .values_list("trainee_id", "pk")
    )
    for trainee_id, pk in rows:
        found.setdefault(trainee_id, pk)  # the latest enrolment of each
    return found


@dataclass(frozen=True)
class RosterResult:
    """What one roster save did: marks made for the first time, marks changed,
    and rows left as they were (nothing written for those)."""

    created: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def saved(self) -> int:
        return self.created + self.changed


@dataclass(frozen=True)
class _Mark:
    """A wanted status for a booking, with the record it may already have."""

    booking: Booking
    record: AttendanceRecord | None
    status: str


@contextmanager
def _statements_as_large_as_sqlite_allows():
    """Django assumes SQLite's old limit of 999 parameters a statement and splits a
    300-row insert into four; SQLite since 3.32 takes 32,766 (Django 6.0 reads the
    real limit). Lifted for a roster's writes so that any roster costs the same
    statements. PostgreSQL has no such limit."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    features = connection.features
    default = features.max_query_params
    features.max_query_params = connection.connection.getlimit(
        sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER
    )
    try:
        yield
    finally:
        features.max_query_params = default


# The code of the refusal of a correction without a reason, so a form can point
# at its reason field.
REASON_REQUIRED = "reason_required"

RECORD_UPDATE_FIELDS = [
    "status",
    "credit",
    "method",
    "marked_by",
    "marked_at",
    "checked_in_at",
]


def _save_marks(
    session: BookableSession,
    marks: list[_Mark],
    *,
    actor: User | None,
    method: str,
    reason: str,
) -> tuple[RosterResult, list[AttendanceRecord]]:
    """Write the marks that change something, in a fixed number of statements
    whatever their number: new records in one INSERT, changed ones in one UPDATE,
    one history row each in one INSERT; then queue the enrolments' job. Refuses
    (writing nothing) a correction without a reason. Runs inside the caller's
    transaction, the bookings and records already locked."""
    reason = reason.strip()
    changing = [m for m in marks if m.record is None or m.record.status != m.status]
    if not reason and any(is_correction(session, m.record) for m in changing):
        raise ValidationError(_("场次结束后修改出勤须填写原因。"), code=REASON_REQUIRED)
    if not changing:
        return RosterResult(unchanged=len(marks)), []

    now = timezone.now()
    late_credit = late_credit_for(session)
    checked_in_at = now if method in (Method.SCAN, Method.SELF) else None
    enrollment_ids = enrollments_for(
        session, [m.booking.trainee_id for m in changing if m.record is None]
    )
    created, changed, history = [], [], []
    for mark in changing:
        credit = credit_for(mark.status, late_credit)
        record = mark.record
        if record is None:
            record = AttendanceRecord(
                session_id=session.pk,
                booking=mark.booking,
                trainee_id=mark.booking.trainee_id,
                enrollment_id=enrollment_ids.get(mark.booking.trainee_id),
                status=mark.status,
                credit=credit,
                method=method,
                checked_in_at=checked_in_at,
                marked_by=actor,
                marked_at=now,
            )
            created.append(record)
            history.append((record, ""))
        else:
            history.append((record, record.status))
            record.status, record.credit, record.method = mark.status, credit, method
            record.marked_by, record.marked_at = actor, now
            if checked_in_at is not None:
                record.checked_in_at = checked_in_at
            changed.append(record)

    with _statements_as_large_as_sqlite_allows():
        if created:
            try:
                AttendanceRecord.objects.bulk_create(created)
            except IntegrityError as error:
                # The booking row locks make this a mark at the same instant from a
                # path that bypassed them: say so rather than guess.
                raise ValidationError(
                    _("出勤刚刚被他人记录，请刷新后再试。")
                ) from error
        if changed:
            AttendanceRecord.objects.bulk_update(changed, RECORD_UPDATE_FIELDS)
        AttendanceChange.objects.bulk_create(
            AttendanceChange(
                record=record,
                from_status=from_status,
                to_status=record.status,
                method=method,
                actor=actor,
                note=reason[:200],
                created_at=now,
            )
            for record, from_status in history
        )
    attendance_changed(r.enrollment_id for r in created + changed if r.enrollment_id)
    result = RosterResult(
        created=len(created),
        changed=len(changed),
        unchanged=len(marks) - len(changing),
    )
    return result, created + changed


@transaction.atomic(durable=True)
def record_attendance(
    session: BookableSession,
    *,
    trainee: User,
    status: str,
    actor: User | None,
    method: str,
    reason: str = "",
) -> AttendanceRecord:
    """Mark one person's attendance at a session they hold a confirmed booking of.

    The same status again changes nothing (a second scan is harmless). A change
    after the session has ended is a correction: refused without a reason.
    """
    if status not in Status.values:
        raise ValidationError(_("出勤情况无效。"))
    booking = (
        Booking.objects.confirmed()
        .filter(session_id=session.pk, trainee=trainee)
        .select_for_update()
        .first()
    )
    if booking is None:
        raise ValidationError(_("该学员没有预约此场次，不能记录出勤。"))
    record = (
        AttendanceRecord.objects.select_for_update().filter(booking=booking).first()
    )
    saved_result = _save_marks(
        session,
        [_Mark(booking=booking, record=record, status=status)],
        actor=actor,
        method=method,
        reason=reason,
    )
    saved = saved_result[1]
    return saved[0] if saved else record


@transaction.atomic(durable=True)
def mark_roster(
    session: BookableSession,
    *,
    marks: dict[int, str],
    actor: User,
    reason: str = "",
) -> RosterResult:
    """Save a whole session's marks (booking id -> status) from one roster form, in
    the same number of queries for 30 rows or 300. Only the session's confirmed
    bookings may be marked; a row whose status is unchanged writes nothing;
    changing marks after the session has ended needs a reason. Any refusal saves
    nothing."""
    if session.cancelled_at is not None:
        raise ValidationError(_("该场次已取消，不能记录出勤。"))
    if any(status not in Status.values for status in marks.values()):
        raise ValidationError(_("出勤情况无效。"))
    # Locked in pk order, as every roster save does, so two saves of one session
    # queue rather than deadlock; a scan locks its one booking the same way.
    bookings = {
        booking.pk: booking
        for booking in Booking.objects.confirmed()
        .filter(session_id=session.pk, pk__in=list(marks))
        .order_by("pk")
        .select_for_update()
    }
    if len(bookings) != len(marks):
        raise ValidationError(
            _("名单中有不属于本场次已预约学员的记录，请刷新页面后重新提交。")
        )
    records = {
        record.booking_id: record
        for record in AttendanceRecord.objects.filter(booking_id__in=list(bookings))
        .order_by("pk")
        .select_for_update()
    }
    result, _records = _save_marks(
        session,
        [
            _Mark(booking=booking, record=records.get(pk), status=marks[pk])
            for pk, booking in bookings.items()
        ],
        actor=actor,
        method=Method.ROSTER,
        reason=reason,
    )
    return result


def attendance_changed(enrollment_ids: Iterable[int]) -> None:
    """After commit, look at these enrolments again: completion (a rate now at or
    above the threshold completes an active enrolment, once) and absence warnings.
    One job for the lot, so a roster of 300 queues one job, not 300."""
    ids = sorted(set(enrollment_ids))
    if not ids:
        return

    def queue() -> None:
        from django_q.tasks import async_task

        async_task("courses.tasks.attendance_changed_task", ids)

    transaction.on_commit(queue)


# --- absence warnings -------------------------------------------------------------

# E-mails are written in the school's language, whatever the language of the
# request that caused them (a job has none).
NOTICE_LANGUAGE = "zh-hans"
WARNING_TEMPLATE = "absence_warning"


def _counted_absences():
    """Absences that count: marked absent at a session that was held."""
    return Count(
        "attendance",
        filter=Q(
            attendance__status=Status.ABSENT,
            attendance__session__cancelled_at__isnull=True,
        ),
    )


def _warning_mails(warning: AbsenceWarning) -> list[EmailMessage]:
    """The trainee's e-mail (if they gave an address) and one to each of the
    class's instructors who has one."""
    enrollment = warning.enrollment
    training_class = enrollment.training_class
    trainee = enrollment.trainee
    school = school_of_page(training_class.course)
    context = {
        "trainee": trainee,
        "class_label": str(training_class),
        "absences": warning.absences,
        "limit": training_class.absence_warning_at,
        "threshold": training_class.course.attendance_threshold,
        "school_name": (school.display_name or school.title) if school else "",
        "sessions_url": settings.SITE_URL.rstrip("/")
        + reverse("courses:class_sessions", args=[training_class.pk]),
    }
    readers = [(trainee, False)] + [
        (instructor, True) for instructor in training_class.instructors.all()
    ]
    mails = []
    with translation.override(NOTICE_LANGUAGE):
        for reader, for_instructor in readers:
            if not reader.email:
                continue
            extra = {"reader": reader, "for_instructor": for_instructor}
            subject = render_to_string(
                f"emails/{WARNING_TEMPLATE}-subject.txt", {**context, **extra}
            )
            body = render_to_string(
                f"emails/{WARNING_TEMPLATE}-body.txt", {**context, **extra}
            )
            mails.append(
                EmailMessage(" ".join(subject.split()), body, None, [reader.email])
            )
    return mails


def warn_absences(enrollment_ids: Iterable[int]) -> int:
    """Warn the trainee and the class's instructors, once, of each active enrolment
    whose counted absences have reached its class's `absence_warning_at` (0: never).
    The AbsenceWarning row (one per enrolment) is made once even by two jobs at
    once; its `notified_at`, claimed by a conditional UPDATE and withdrawn if
    sending fails, sends the e-mails once. How many warnings were sent."""
    due = (
        Enrollment.objects.filter(
            pk__in=list(enrollment_ids),
            status=Enrollment.Status.ACTIVE,
            training_class__absence_warning_at__gt=0,
        )
        .annotate(absences=_counted_absences())
        .filter(absences__gte=F("training_class__absence_warning_at"))
    )
    sent = 0
    for enrollment in due:
        warning, _created = AbsenceWarning.objects.get_or_create(
            enrollment=enrollment, defaults={"absences": enrollment.absences}
        )
        if warning.notified_at is not None:
            continue
        warning = AbsenceWarning.objects.select_related(
            "enrollment__trainee", "enrollment__training_class__course"
        ).get(pk=warning.pk)
        mails = _warning_mails(warning)
        claimed_at = timezone.now()
        claimed = AbsenceWarning.objects.filter(pk=warning.pk, notified_at=None).update(
            notified_at=claimed_at
        )
        if not claimed:
            continue  # another job is sending it
        try:
            if mails:
                get_connection().send_messages(mails)
        except Exception:
            AbsenceWarning.objects.filter(pk=warning.pk, notified_at=claimed_at).update(
                notified_at=None
            )
            raise
        sent += 1
    return sent
