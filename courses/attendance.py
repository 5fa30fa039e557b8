"""Taking attendance: one mark for one booked person (a scan, a self check-in, a
correction), and what follows any change of marks — the enrolments concerned are
looked at again for completion and for absence warnings, in a job after commit.

A mark belongs to a confirmed booking (a walk-in is one). Each change writes an
AttendanceChange in the same transaction; changing a mark once the session has
ended is a correction and needs a reason. The credit a mark earns is fixed when it
is made: present 1, late the school's `late_credit`, absent 0; excused counts
neither way.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import (
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


def enrollment_for(session: BookableSession, trainee: User) -> Enrollment | None:
    """The trainee's enrolment in the class of a class session (completed ones
    too), which its marks count toward; None for other sessions."""
    if not isinstance(session, ClassSession):
        return None
    return (
        Enrollment.objects.filter(
            training_class_id=session.training_class_id, trainee=trainee
        )
        .exclude(status__in=[Enrollment.Status.REJECTED])
        .order_by("-pk")
        .first()
    )


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
    if record is not None and record.status == status:
        return record
    if is_correction(session, record) and not reason.strip():
        raise ValidationError(_("场次结束后修改出勤须填写原因。"))

    now = timezone.now()
    credit = credit_for(status, late_credit_for(session))
    checked_in_at = now if method in (Method.SCAN, Method.SELF) else None
    from_status = record.status if record else ""
    if record is None:
        try:
            with transaction.atomic():
                record = AttendanceRecord.objects.create(
                    session_id=session.pk,
                    booking=booking,
                    trainee=trainee,
                    enrollment=enrollment_for(session, trainee),
                    status=status,
                    credit=credit,
                    method=method,
                    checked_in_at=checked_in_at,
                    marked_by=actor,
                    marked_at=now,
                )
        except IntegrityError as error:
            # The booking row lock makes this a second mark at the same instant
            # from another path that bypassed it: say so rather than guess.
            raise ValidationError(_("出勤刚刚被他人记录，请刷新后再试。")) from error
    else:
        record.status, record.credit, record.method = status, credit, method
        record.marked_by, record.marked_at = actor, now
        if checked_in_at is not None:
            record.checked_in_at = checked_in_at
        record.save(
            update_fields=[
                "status",
                "credit",
                "method",
                "marked_by",
                "marked_at",
                "checked_in_at",
            ]
        )
    AttendanceChange.objects.create(
        record=record,
        from_status=from_status,
        to_status=status,
        method=method,
        actor=actor,
        note=reason.strip()[:200],
        created_at=now,
    )
    if record.enrollment_id:
        attendance_changed([record.enrollment_id])
    return record


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
