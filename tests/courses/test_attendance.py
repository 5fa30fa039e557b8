"""Taking attendance: one mark (record_attendance) and a whole roster in one save
(mark_roster) — the credit each status earns, the history of corrections, the
refusals that save nothing, the same number of queries for 30 rows or 300, the
completion a correction brings (once, with one certificate), and the absence
warning sent once."""

import itertools
from datetime import timedelta
from decimal import Decimal

from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from certificates.models import Certificate
from courses import attendance, services, tasks
from courses.attendance import mark_roster, record_attendance
from courses.models import (
    AbsenceWarning,
    AttendanceChange,
    AttendanceRecord,
    Booking,
    ClassSession,
    Enrollment,
)
from courses.selectors.attendance import attendance_rate, session_rate
from school.models import User
from tests.concurrency import run_all_concurrently, run_concurrently
from tests.courses.factories import ClassSessionFactory, LessonPageFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = AttendanceRecord.Status
Method = AttendanceRecord.Method
PRESENT, LATE, EXCUSED, ABSENT = (
    Status.PRESENT,
    Status.LATE,
    Status.EXCUSED,
    Status.ABSENT,
)

_phones = itertools.count(1)


def enrol_many(training_class, count: int) -> list[User]:
    """`count` trainees with an active enrolment in the class, in three queries."""
    people = User.objects.bulk_create(
        User(phone=f"139{next(_phones):08d}", real_name=f"学员甲{n}")
        for n in range(count)
    )
    Enrollment.objects.bulk_create(
        Enrollment(
            training_class=training_class,
            trainee=person,
            status=Enrollment.Status.ACTIVE,
        )
        for person in people
    )
    return people


def book_all(session: ClassSession, people: list[User]) -> list[Booking]:
    """Confirmed bookings of the session for these people (seats made to fit)."""
    now = timezone.now()
    bookings = Booking.objects.bulk_create(
        Booking(
            session=session,
            trainee=person,
            status=Booking.Status.CONFIRMED,
            confirmed_at=now + timedelta(microseconds=n),
        )
        for n, person in enumerate(people)
    )
    seats = max(session.seats, session.confirmed_count + len(people))
    ClassSession.objects.filter(pk=session.pk).update(
        seats=seats, confirmed_count=session.confirmed_count + len(people)
    )
    session.refresh_from_db()
    return bookings


def ended_session(training_class, **kwargs) -> ClassSession:
    """A session of the class that ended an hour ago."""
    starts = timezone.now() - timedelta(hours=3)
    return ClassSessionFactory(
        training_class=training_class,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        booking_closes_at=starts - timedelta(hours=1),
        **kwargs,
    )


def booked_session(training_class, count: int, **kwargs):
    session = ended_session(training_class, **kwargs)
    return session, book_all(session, enrol_many(training_class, count))


@pytest.fixture
def roster(training_class, instructor):
    """An ended session with three confirmed bookings."""
    session, bookings = booked_session(training_class, 3)
    session.instructors.add(instructor)
    return session, bookings


# --- marks and what they are worth ----------------------------------------------


@pytest.mark.parametrize(
    ("late_credit", "credit", "percent"), [(50, Decimal("1.5"), 50), (100, 2, 66)]
)
def test_each_status_counts_with_its_weight_and_late_with_the_schools(
    grid_school, training_class, trainee, instructor, late_credit, credit, percent
):
    grid_school.late_credit = late_credit
    grid_school.save()
    enrollment = Enrollment.objects.create(
        training_class=training_class, trainee=trainee, status=Enrollment.Status.ACTIVE
    )
    statuses = [PRESENT, LATE, EXCUSED, ABSENT]
    for status in statuses:
        session = ended_session(training_class)
        (booking,) = book_all(session, [trainee])
        mark_roster(session, marks={booking.pk: status}, actor=instructor)

    rate = attendance_rate(enrollment)
    assert (rate.present, rate.late, rate.excused, rate.absent) == (1, 1, 1, 1)
    assert rate.counted == 3  # excused is not counted against
    assert rate.credit == credit
    assert rate.percent == percent
    late = AttendanceRecord.objects.get(status=LATE)
    assert late.credit == Decimal(late_credit) / 100


def test_a_roster_marks_every_row_once_with_its_history(roster, instructor):
    session, bookings = roster
    marks = dict(zip([b.pk for b in bookings], [PRESENT, LATE, ABSENT], strict=True))

    result = mark_roster(session, marks=marks, actor=instructor)

    assert (result.created, result.changed, result.unchanged) == (3, 0, 0)
    records = {r.booking_id: r for r in AttendanceRecord.objects.all()}
    assert {pk: r.status for pk, r in records.items()} == marks
    assert all(
        r.method == Method.ROSTER and r.marked_by == instructor
        for r in records.values()
    )
    assert all(r.enrollment.trainee_id == r.trainee_id for r in records.values())
    assert sorted(
        AttendanceChange.objects.values_list("from_status", "to_status", "actor")
    ) == sorted(("", status, instructor.pk) for status in marks.values())
    summary = session_rate(session.pk)
    assert (summary.present, summary.late, summary.absent) == (1, 1, 1)


def test_saving_the_same_roster_again_writes_nothing(roster, instructor):
    session, bookings = roster
    marks = {b.pk: PRESENT for b in bookings}
    mark_roster(session, marks=marks, actor=instructor)

    with CaptureQueriesContext(connection) as queries:
        result = mark_roster(session, marks=marks, actor=instructor, reason="")

    assert (result.created, result.changed, result.unchanged) == (0, 0, 3)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert AttendanceChange.objects.count() == 3


def test_a_correction_after_the_session_records_from_to_who_and_why(
    roster, instructor, site_host
):
    session, bookings = roster
    mark_roster(session, marks={b.pk: ABSENT for b in bookings}, actor=instructor)

    result = mark_roster(
        session,
        marks={bookings[0].pk: PRESENT, bookings[1].pk: ABSENT, bookings[2].pk: LATE},
        actor=site_host,
        reason="学员补交了签到表",
    )

    assert (result.created, result.changed, result.unchanged) == (0, 2, 1)
    corrections = AttendanceChange.objects.exclude(from_status="").order_by("pk")
    assert [
        (c.record.booking_id, c.from_status, c.to_status, c.actor, c.note)
        for c in corrections
    ] == [
        (bookings[0].pk, ABSENT, PRESENT, site_host, "学员补交了签到表"),
        (bookings[2].pk, ABSENT, LATE, site_host, "学员补交了签到表"),
    ]
    first = AttendanceRecord.objects.get(booking=bookings[0])
    assert (first.status, first.credit, first.marked_by) == (PRESENT, 1, site_host)


def test_a_correction_without_a_reason_is_refused_and_saves_nothing(roster, instructor):
    session, bookings = roster
    mark_roster(session, marks={bookings[0].pk: ABSENT}, actor=instructor)

    with pytest.raises(ValidationError) as caught:
        mark_roster(
            session,
            marks={b.pk: PRESENT for b in bookings},
            actor=instructor,
            reason="   ",
        )

    assert caught.value.messages == ["场次结束后修改出勤须填写原因。"]
    assert list(AttendanceRecord.objects.values_list("booking", "status")) == [
        (bookings[0].pk, ABSENT)
    ]
    assert AttendanceChange.objects.count() == 1


def test_first_marks_after_the_session_need_no_reason(roster, instructor):
    session, bookings = roster
    result = mark_roster(
        session, marks={b.pk: PRESENT for b in bookings}, actor=instructor
    )
    assert result.created == 3


def test_changes_before_the_session_ends_need_no_reason(training_class, instructor):
    session = ClassSessionFactory(training_class=training_class)  # in three days
    (booking,) = book_all(session, enrol_many(training_class, 1))
    mark_roster(session, marks={booking.pk: EXCUSED}, actor=instructor)
    result = mark_roster(session, marks={booking.pk: PRESENT}, actor=instructor)
    assert result.changed == 1


def test_a_booking_not_confirmed_in_this_session_is_refused_and_nothing_saved(
    roster, training_class, instructor
):
    session, bookings = roster
    _other, (foreign,) = booked_session(training_class, 1)
    waiting = bookings[2]
    Booking.objects.filter(pk=waiting.pk).update(
        status=Booking.Status.CANCELLED, cancelled_at=timezone.now()
    )

    for stranger in (foreign.pk, waiting.pk, 2**62):
        with pytest.raises(ValidationError) as caught:
            mark_roster(
                session,
                marks={bookings[0].pk: PRESENT, stranger: PRESENT},
                actor=instructor,
            )
        assert "不属于本场次已预约学员" in caught.value.messages[0]
    assert not AttendanceRecord.objects.exists()
    assert not AttendanceChange.objects.exists()


def test_an_unknown_status_is_refused(roster, instructor):
    session, bookings = roster
    with pytest.raises(ValidationError) as caught:
        mark_roster(session, marks={bookings[0].pk: "asleep"}, actor=instructor)
    assert caught.value.messages == ["出勤情况无效。"]
    assert not AttendanceRecord.objects.exists()


def test_a_cancelled_session_cannot_be_marked(roster, instructor):
    session, bookings = roster
    ClassSession.objects.filter(pk=session.pk).update(cancelled_at=timezone.now())
    session.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        mark_roster(session, marks={bookings[0].pk: PRESENT}, actor=instructor)
    assert caught.value.messages == ["该场次已取消，不能记录出勤。"]


def _queries_of(session, marks, actor, reason="") -> int:
    session = ClassSession.objects.select_related("training_class__course").get(
        pk=session.pk
    )
    attendance.late_credit_for(session)  # the schools are cached after a first read
    with CaptureQueriesContext(connection) as queries:
        mark_roster(session, marks=marks, actor=actor, reason=reason)
    return len(queries.captured_queries)


def test_30_and_300_rows_save_in_the_same_number_of_queries(training_class, instructor):
    counts = {}
    for size in (30, 300):
        session, bookings = booked_session(training_class, size)
        first = {
            b.pk: (PRESENT, LATE, EXCUSED, ABSENT)[n % 4]
            for n, b in enumerate(bookings)
        }
        corrected = {b.pk: (ABSENT, PRESENT)[n % 2] for n, b in enumerate(bookings)}
        counts[size] = (
            _queries_of(session, first, instructor),
            _queries_of(session, corrected, instructor, reason="核对签到表"),
        )
        assert AttendanceRecord.objects.filter(session=session).count() == size
        assert AttendanceChange.objects.filter(record__session=session).count() == (
            size + sum(1 for pk in first if first[pk] != corrected[pk])
        )
    assert counts[30] == counts[300]


# --- one mark at a time ----------------------------------------------------------


def test_record_attendance_marks_once_and_a_second_scan_changes_nothing(
    roster, instructor
):
    session, bookings = roster
    trainee = bookings[0].trainee
    record = record_attendance(
        session, trainee=trainee, status=LATE, actor=instructor, method=Method.SCAN
    )
    again = record_attendance(
        session, trainee=trainee, status=LATE, actor=instructor, method=Method.SCAN
    )
    assert again.pk == record.pk
    assert record.checked_in_at is not None
    assert record.enrollment.trainee == trainee
    assert AttendanceChange.objects.count() == 1


def test_record_attendance_refuses_a_correction_without_a_reason(roster, instructor):
    session, bookings = roster
    trainee = bookings[0].trainee
    record_attendance(
        session, trainee=trainee, status=ABSENT, actor=instructor, method=Method.ROSTER
    )
    with pytest.raises(ValidationError):
        record_attendance(
            session,
            trainee=trainee,
            status=PRESENT,
            actor=instructor,
            method=Method.ROSTER,
        )
    record = record_attendance(
        session,
        trainee=trainee,
        status=PRESENT,
        actor=instructor,
        method=Method.ROSTER,
        reason="看错了",
    )
    assert record.status == PRESENT
    change = AttendanceChange.objects.latest("pk")
    assert (change.from_status, change.to_status, change.note) == (
        ABSENT,
        PRESENT,
        "看错了",
    )


def test_record_attendance_refuses_someone_without_a_booking(
    roster, instructor, other_trainee
):
    session, _bookings = roster
    with pytest.raises(ValidationError):
        record_attendance(
            session,
            trainee=other_trainee,
            status=PRESENT,
            actor=instructor,
            method=Method.SCAN,
        )


# --- completion -------------------------------------------------------------------


@pytest.fixture
def studied(course, training_class, trainee):
    """The trainee has studied the course's one lesson; the course asks for 80%
    attendance, so only attendance holds completion back."""
    course.attendance_threshold = 80
    course.save()
    lesson = LessonPageFactory(parent=course, title="唯一一课", slug="only")
    enrollment = services.enroll_trainee(training_class, trainee=trainee, actor=trainee)
    services.complete_lesson(enrollment, lesson, actor=trainee)
    enrollment.refresh_from_db()
    return enrollment


def test_below_the_threshold_the_enrolment_does_not_complete_and_a_correction_completes_it_once_with_one_certificate(
    studied,
    training_class,
    instructor,
    certificate_template,
    django_capture_on_commit_callbacks,
):
    assert studied.status == Enrollment.Status.ACTIVE
    sessions = [ended_session(training_class) for _ in range(2)]
    bookings = [book_all(s, [studied.trainee])[0] for s in sessions]

    with django_capture_on_commit_callbacks(execute=True):
        mark_roster(sessions[0], marks={bookings[0].pk: PRESENT}, actor=instructor)
        mark_roster(sessions[1], marks={bookings[1].pk: ABSENT}, actor=instructor)
    studied.refresh_from_db()
    assert studied.status == Enrollment.Status.ACTIVE  # 50% < 80%
    assert not Certificate.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        mark_roster(
            sessions[1],
            marks={bookings[1].pk: EXCUSED},
            actor=instructor,
            reason="已补交请假条",
        )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.attendance_changed_task([studied.pk])
    tasks.attendance_changed_task([studied.pk])

    studied.refresh_from_db()
    assert studied.status == Enrollment.Status.COMPLETED
    assert studied.events.filter(kind="completed").count() == 1
    assert Certificate.objects.filter(enrollment=studied).count() == 1


# --- absence warnings --------------------------------------------------------------


@pytest.fixture
def warned_class(training_class, instructor, other_trainee):
    """A class that warns at the second absence, taught by two instructors (one
    without an e-mail address)."""
    training_class.absence_warning_at = 2
    training_class.save()
    instructor.email = "teacher@example.cn"
    instructor.save()
    silent = UserFactory(real_name="无邮箱讲师", email="")
    training_class.instructors.add(instructor, silent)
    return training_class


def absent_at(training_class, trainee, count: int, actor, **session_kwargs):
    for _ in range(count):
        session = ended_session(training_class, **session_kwargs)
        (booking,) = book_all(session, [trainee])
        mark_roster(session, marks={booking.pk: ABSENT}, actor=actor)


def test_the_second_absence_warns_the_trainee_and_the_instructors_once(
    warned_class, active_enrollment, trainee, instructor
):
    trainee.email = "zhangsan@example.cn"
    trainee.save()
    absent_at(warned_class, trainee, 1, instructor)
    assert attendance.warn_absences([active_enrollment.pk]) == 0
    assert mail.outbox == []

    absent_at(warned_class, trainee, 1, instructor)
    assert attendance.warn_absences([active_enrollment.pk]) == 1
    assert attendance.warn_absences([active_enrollment.pk]) == 0
    tasks.attendance_changed_task([active_enrollment.pk])

    assert sorted(m.to[0] for m in mail.outbox) == [
        "teacher@example.cn",
        "zhangsan@example.cn",
    ]
    to_trainee = next(m for m in mail.outbox if m.to == ["zhangsan@example.cn"])
    assert "缺勤提醒" in to_trainee.subject
    assert "已缺勤 2 次" in to_trainee.body
    to_teacher = next(m for m in mail.outbox if m.to == ["teacher@example.cn"])
    assert "张三" in to_teacher.subject
    warning = AbsenceWarning.objects.get()
    assert (warning.enrollment, warning.absences) == (active_enrollment, 2)
    assert warning.notified_at is not None


def test_absences_at_cancelled_sessions_and_excused_ones_do_not_count(
    warned_class, active_enrollment, trainee, instructor
):
    absent_at(warned_class, trainee, 1, instructor)
    session = ended_session(warned_class)
    (booking,) = book_all(session, [trainee])
    mark_roster(session, marks={booking.pk: ABSENT}, actor=instructor)
    ClassSession.objects.filter(pk=session.pk).update(cancelled_at=timezone.now())
    session = ended_session(warned_class)
    (booking,) = book_all(session, [trainee])
    mark_roster(session, marks={booking.pk: EXCUSED}, actor=instructor)

    assert attendance.warn_absences([active_enrollment.pk]) == 0
    assert not AbsenceWarning.objects.exists()


def test_a_class_with_no_warning_limit_never_warns(
    warned_class, active_enrollment, trainee, instructor
):
    warned_class.absence_warning_at = 0
    warned_class.save()
    absent_at(warned_class, trainee, 3, instructor)
    assert attendance.warn_absences([active_enrollment.pk]) == 0
    assert not AbsenceWarning.objects.exists()


def test_a_warning_whose_sending_failed_is_sent_by_the_next_run(
    warned_class, active_enrollment, trainee, instructor, monkeypatch
):
    absent_at(warned_class, trainee, 2, instructor)

    def broken(self, messages):
        raise OSError("mail server down")

    monkeypatch.setattr(
        "django.core.mail.backends.locmem.EmailBackend.send_messages", broken
    )
    with pytest.raises(OSError):
        attendance.warn_absences([active_enrollment.pk])
    assert AbsenceWarning.objects.get().notified_at is None
    monkeypatch.undo()

    assert attendance.warn_absences([active_enrollment.pk]) == 1
    assert len(mail.outbox) == 1  # the instructor; the trainee has no address


@pytest.mark.django_db(transaction=True)
def test_two_jobs_at_once_make_one_warning_and_send_it_once(
    warned_class, active_enrollment, trainee, instructor
):
    trainee.email = "zhangsan@example.cn"
    trainee.save()
    # Marked while the class does not warn (here the marks' own job runs at
    # commit); then both jobs find the limit reached at once.
    warned_class.absence_warning_at = 0
    warned_class.save()
    absent_at(warned_class, trainee, 2, instructor)
    warned_class.absence_warning_at = 2
    warned_class.save()

    outcomes = run_concurrently(attendance.warn_absences, 4, [active_enrollment.pk])

    assert sorted(outcomes) == [0, 0, 0, 1], outcomes
    assert AbsenceWarning.objects.count() == 1
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_two_roster_saves_at_once_queue_one_behind_the_other(
    roster, instructor, site_host
):
    session, bookings = roster
    saves = [
        # The second to arrive changes the first's marks after the session: a
        # correction, so both give a reason.
        lambda: mark_roster(
            session,
            marks={b.pk: PRESENT for b in bookings},
            actor=instructor,
            reason="按现场点名",
        ),
        lambda: mark_roster(
            session,
            marks={b.pk: ABSENT for b in bookings},
            actor=site_host,
            reason="以签到表为准",
        ),
    ]

    outcomes = run_all_concurrently(saves)

    assert all(isinstance(o, attendance.RosterResult) for o in outcomes), outcomes
    assert sorted((o.created, o.changed) for o in outcomes) == [(0, 3), (3, 0)]
    assert AttendanceRecord.objects.count() == 3
    last = max(AttendanceChange.objects.all(), key=lambda c: c.pk)
    assert set(AttendanceRecord.objects.values_list("status", flat=True)) == {
        last.to_status
    }
    assert AttendanceChange.objects.count() == 6
