"""Demo attendance and feedback for `manage.py seed_demo`: the demo's past class
sessions (courses.demo.sessions) get a mark for every confirmed booking — mostly
出勤, some 迟到, a few 请假 and 缺勤 — each with the AttendanceChange a roster or a
scan leaves, and the trainees who came rate the session (mostly 4–5, a few lower,
some with a comment) and, once it has ended, the class.

Rows are written in bulk: a demo has a few past sessions of a few dozen trainees,
and going through record_attendance one mark at a time would queue a completion
job per mark. Credit is what courses.attendance.credit_for gives. The demo trainee
(13800000004) comes to every session and rates nothing, so that 我的学习 has
something to rate.

Idempotent: a session that has marks is left alone, and a class rating is given
only by a trainee who has none, so seeding twice adds nothing.
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from courses.attendance import credit_for, late_credit_for
from courses.models import (
    AttendanceChange,
    AttendanceRecord,
    Booking,
    ClassSession,
    Enrollment,
    Feedback,
)
from school.models import User

Status = AttendanceRecord.Status
Method = AttendanceRecord.Method

DEMO_TRAINEE = "13800000004"
_CAME = (Status.PRESENT, Status.LATE)
# One mark per booking, in turn: 20 marks are 15 出勤, 2 迟到, 2 请假, 1 缺勤.
MARKS = [
    *[Status.PRESENT] * 4,
    Status.LATE,
    *[Status.PRESENT] * 4,
    Status.EXCUSED,
    *[Status.PRESENT] * 3,
    Status.ABSENT,
    *[Status.PRESENT] * 3,
    Status.LATE,
    Status.PRESENT,
    Status.EXCUSED,
]
# Of those who came, three in four rate the session; three in five the class.
SESSION_RATERS = (3, 4)
CLASS_RATERS = (3, 5)
SCORES = [5, 4, 5, 5, 4, 3, 5, 4, 5, 4, 5, 2, 4, 5, 5, 4]
SESSION_COMMENTS = [
    "讲解清楚，实操环节很有帮助。",
    "",
    "老师很耐心，演练贴近社区实际。",
    "",
    "时间有点紧，希望多留一些提问时间。",
    "案例很实用，回去就能用上。",
    "",
    "场地有点小，人多时听不太清。",
]
CLASS_COMMENTS = [
    "收获很大，希望以后多办这样的培训班。",
    "",
    "课程安排合理，线上线下结合得好。",
    "建议增加入户走访的实操次数。",
    "",
]


def _past_sessions_without_marks(now) -> list[ClassSession]:
    return list(
        ClassSession.objects.filter(ends_at__lt=now, cancelled_at__isnull=True)
        .exclude(Exists(AttendanceRecord.objects.filter(session_id=OuterRef("pk"))))
        .select_related("training_class__course")
        .order_by("starts_at", "pk")
    )


@transaction.atomic
def seed_attendance(*, marker: User | None) -> tuple[int, int]:
    """Marks for the confirmed bookings of past sessions that have none, the
    history rows they leave, and the ratings of those who came. Returns
    (marks made, ratings given)."""
    now = timezone.now()
    sessions = _past_sessions_without_marks(now)
    if not sessions:
        return 0, _seed_class_ratings(now)
    by_pk = {session.pk: session for session in sessions}
    class_ids = {session.training_class_id for session in sessions}
    enrollments = {
        (e.training_class_id, e.trainee_id): e.pk
        for e in Enrollment.objects.filter(training_class_id__in=class_ids)
        .exclude(status=Enrollment.Status.REJECTED)
        .order_by("pk")
    }
    late_credit = {}
    for session in sessions:
        if session.training_class_id not in late_credit:
            late_credit[session.training_class_id] = late_credit_for(session)
    bookings = (
        Booking.objects.confirmed()
        .filter(session_id__in=by_pk)
        .select_related("trainee")
        .order_by("session_id", "trainee__phone")
    )

    records = []
    turn = 0
    for booking in bookings:
        session = by_pk[booking.session_id]
        if booking.trainee.phone == DEMO_TRAINEE:
            status = Status.PRESENT
        else:
            status = MARKS[(turn + session.pk) % len(MARKS)]
            turn += 1
        scanned = status == Status.LATE or (status == Status.PRESENT and booking.pk % 2)
        checked_in_at = None
        if scanned:
            early_or_late = 20 if status == Status.LATE else -(5 + booking.pk % 10)
            checked_in_at = session.starts_at + timedelta(minutes=early_or_late)
        records.append(
            AttendanceRecord(
                session_id=session.pk,
                booking=booking,
                trainee=booking.trainee,
                enrollment_id=enrollments.get(
                    (session.training_class_id, booking.trainee_id)
                ),
                status=status,
                credit=credit_for(status, late_credit[session.training_class_id]),
                method=Method.SCAN if scanned else Method.ROSTER,
                checked_in_at=checked_in_at,
                marked_by=marker,
                marked_at=checked_in_at or session.ends_at,
            )
        )
    AttendanceRecord.objects.bulk_create(records)
    if any(record.pk is None for record in records):
        # A database that does not return the new keys (SQLite before 3.35).
        saved = dict(
            AttendanceRecord.objects.filter(session_id__in=by_pk).values_list(
                "booking_id", "pk"
            )
        )
        for record in records:
            record.pk = saved[record.booking_id]
    AttendanceChange.objects.bulk_create(
        AttendanceChange(
            record_id=record.pk,
            from_status="",
            to_status=record.status,
            method=record.method,
            actor=marker,
            created_at=record.marked_at,
        )
        for record in records
    )

    ratings = []
    for index, record in enumerate(r for r in records if r.status in _CAME):
        if record.trainee.phone == DEMO_TRAINEE:
            continue
        if index % SESSION_RATERS[1] >= SESSION_RATERS[0]:
            continue
        session = by_pk[record.session_id]
        given_at = session.ends_at + timedelta(hours=1 + index % 20)
        ratings.append(
            Feedback(
                trainee=record.trainee,
                session_id=session.pk,
                training_class_id=session.training_class_id,
                score=SCORES[index % len(SCORES)],
                comment=SESSION_COMMENTS[index % len(SESSION_COMMENTS)],
                created_at=given_at,
                updated_at=given_at,
            )
        )
    Feedback.objects.bulk_create(ratings)
    return len(records), len(ratings) + _seed_class_ratings(now)


def _seed_class_ratings(now) -> int:
    """Ratings of the ended classes by some of the trainees who came to one of
    their sessions and have not rated the class (the same ones every run)."""
    today = timezone.localdate()
    came = (
        AttendanceRecord.objects.filter(
            status__in=_CAME,
            session__ends_at__lt=now,
            session__cancelled_at__isnull=True,
            session__classsession__training_class__ends_on__lt=today,
        )
        .exclude(trainee__phone=DEMO_TRAINEE)
        .exclude(
            Exists(
                Feedback.objects.filter(
                    trainee_id=OuterRef("trainee_id"),
                    training_class_id=OuterRef(
                        "session__classsession__training_class_id"
                    ),
                    session__isnull=True,
                )
            )
        )
        .values_list(
            "trainee_id",
            "session__classsession__training_class_id",
            "session__classsession__training_class__ends_on",
        )
        .distinct()
        .order_by("session__classsession__training_class_id", "trainee_id")
    )
    ratings = []
    for trainee_id, class_id, ends_on in came:
        pick = (trainee_id + class_id) % CLASS_RATERS[1]
        if pick >= CLASS_RATERS[0]:
            continue
        given_at = timezone.make_aware(
            datetime.combine(ends_on + timedelta(days=1), time(10 + pick))
        )
        ratings.append(
            Feedback(
                trainee_id=trainee_id,
                training_class_id=class_id,
                score=SCORES[(trainee_id + 3) % len(SCORES)],
                comment=CLASS_COMMENTS[trainee_id % len(CLASS_COMMENTS)],
                created_at=given_at,
                updated_at=given_at,
            )
        )
    Feedback.objects.bulk_create(ratings)
    return len(ratings)
