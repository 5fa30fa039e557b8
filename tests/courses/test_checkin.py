"""Check-in (courses.checkin): the personal card code (derived, parsed, reset),
scanning a card into a session (present or late by the clock, a walk-in for an
enrolled trainee without a booking), and self check-in with the session's rotating
code (the window, the booking, stale and wrong codes, limited tries)."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from courses import checkin, sessions
from courses.models import (
    AttendanceChange,
    AttendanceRecord,
    BookableSession,
    Booking,
    CheckInCard,
    Enrollment,
)
from tests.concurrency import run_all_concurrently, run_concurrently
from tests.courses.factories import ClassSessionFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = AttendanceRecord.Status


def move(session, *, starts_in: timedelta) -> None:
    """Put a session (already booked) so that it starts `starts_in` from now."""
    starts_at = timezone.now() + starts_in
    BookableSession.objects.filter(pk=session.pk).update(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        booking_closes_at=starts_at - timedelta(days=1),
    )
    session.refresh_from_db()


@pytest.fixture
def booked(class_session, active_enrollment, trainee):
    """The trainee's confirmed booking of the class session."""
    return sessions.book_session(class_session, trainee=trainee, actor=trainee)


# --- the card code ----------------------------------------------------------------


def test_everyone_has_a_card_code_without_a_row(trainee):
    code = checkin.card_code(trainee)
    assert code.startswith(str(trainee.pk))
    assert len(code) == len(str(trainee.pk)) + 6
    assert checkin.person_for_card_code(code) == trainee
    assert not CheckInCard.objects.exists()


def test_the_code_is_found_whatever_spaces_or_dashes_are_typed(trainee):
    code = checkin.card_code(trainee)
    grouped = checkin.group_digits(code)
    assert " " in grouped
    assert checkin.person_for_card_code(grouped) == trainee
    assert checkin.person_for_card_code("-".join(code)) == trainee
    assert checkin.person_for_card_code(f"  {code[:3]}　{code[3:]} ") == trainee


def test_a_wrong_digit_or_another_persons_id_finds_no_one(trainee, other_trainee):
    code = checkin.card_code(trainee)
    last = str((int(code[-1]) + 1) % 10)
    assert checkin.person_for_card_code(code[:-1] + last) is None
    # Someone else's id with this person's MAC digits.
    assert checkin.person_for_card_code(f"{other_trainee.pk}{code[-6:]}") is None
    for junk in ("", "abc", "123", "１２３４５６７８", "9" * 40):
        assert checkin.person_for_card_code(junk) is None


def test_an_inactive_persons_card_finds_no_one(trainee):
    code = checkin.card_code(trainee)
    trainee.is_active = False
    trainee.save(update_fields=["is_active"])
    assert checkin.person_for_card_code(code) is None


def test_a_reset_retires_the_old_code_and_gives_a_new_one(trainee):
    old = checkin.card_code(trainee)
    card = checkin.reset_card(trainee, actor=trainee)
    assert card.version == 1 and card.reset_at is not None
    new = checkin.card_code(trainee)
    assert new != old
    assert checkin.person_for_card_code(old) is None
    assert checkin.person_for_card_code(new) == trainee
    checkin.reset_card(trainee, actor=trainee)
    assert checkin.person_for_card_code(new) is None
    assert CheckInCard.objects.get(person=trainee).version == 2


def test_only_the_person_resets_their_card(trainee, school_admin):
    with pytest.raises(ValidationError):
        checkin.reset_card(trainee, actor=school_admin)
    assert not CheckInCard.objects.exists()


def test_reading_the_card_code_writes_nothing(trainee):
    with CaptureQueriesContext(connection) as queries:
        checkin.card_code(trainee)
    assert [
        q["sql"] for q in queries if not q["sql"].lstrip().startswith("SELECT")
    ] == []


# --- scanning ----------------------------------------------------------------------


def test_a_scan_before_the_grace_ends_marks_present(
    booked, class_session, trainee, instructor
):
    move(class_session, starts_in=timedelta(minutes=5))
    done = checkin.scan_check_in(
        class_session, code=checkin.card_code(trainee), actor=instructor
    )
    assert done.record.status == Status.PRESENT
    assert done.record.method == AttendanceRecord.Method.SCAN
    assert done.record.marked_by == instructor
    assert AttendanceChange.objects.filter(record=done.record).count() == 1


def test_a_scan_after_the_grace_marks_late(booked, class_session, trainee, site_host):
    move(class_session, starts_in=-timedelta(minutes=11))
    done = checkin.scan_check_in(
        class_session, code=checkin.card_code(trainee), actor=site_host
    )
    assert done.record.status == Status.LATE


def test_a_second_scan_changes_nothing(booked, class_session, trainee, instructor):
    move(class_session, starts_in=timedelta(minutes=5))
    code = checkin.card_code(trainee)
    checkin.scan_check_in(class_session, code=code, actor=instructor)
    move(class_session, starts_in=-timedelta(minutes=20))
    again = checkin.scan_check_in(class_session, code=code, actor=instructor)
    assert again.already
    assert again.record.status == Status.PRESENT
    assert AttendanceChange.objects.count() == 1


def test_a_wrong_code_is_refused_and_marks_nothing(booked, class_session, instructor):
    move(class_session, starts_in=timedelta(minutes=5))
    with pytest.raises(ValidationError, match="签到码无效"):
        checkin.scan_check_in(class_session, code="12345678", actor=instructor)
    assert not AttendanceRecord.objects.exists()


def test_a_retired_card_is_refused(booked, class_session, trainee, instructor):
    move(class_session, starts_in=timedelta(minutes=5))
    old = checkin.card_code(trainee)
    checkin.reset_card(trainee, actor=trainee)
    with pytest.raises(ValidationError, match="重置"):
        checkin.scan_check_in(class_session, code=old, actor=instructor)
    assert not AttendanceRecord.objects.exists()


def test_an_enrolled_trainee_without_a_booking_is_seated_as_a_walk_in(
    class_session, active_enrollment, trainee, instructor
):
    move(class_session, starts_in=timedelta(minutes=5))
    done = checkin.scan_check_in(
        class_session, code=checkin.card_code(trainee), actor=instructor
    )
    assert done.walked_in
    made = Booking.objects.get(session=class_session, trainee=trainee)
    assert made.source == Booking.Source.WALK_IN
    assert made.status == Booking.Status.CONFIRMED
    assert done.record.booking == made


def test_no_walk_in_when_the_session_is_full(
    class_session, active_enrollment, trainee, instructor
):
    BookableSession.objects.filter(pk=class_session.pk).update(seats=1)
    someone = UserFactory()
    Enrollment.objects.create(
        training_class=class_session.training_class,
        trainee=someone,
        status=Enrollment.Status.ACTIVE,
    )
    sessions.book_session(class_session, trainee=someone, actor=someone)
    move(class_session, starts_in=timedelta(minutes=5))
    with pytest.raises(ValidationError, match="现场加入未成功"):
        checkin.scan_check_in(
            class_session, code=checkin.card_code(trainee), actor=instructor
        )
    assert not AttendanceRecord.objects.exists()
    assert not Booking.objects.filter(trainee=trainee).exists()


def test_a_person_not_enrolled_in_the_class_is_refused(
    class_session, other_trainee, instructor
):
    move(class_session, starts_in=timedelta(minutes=5))
    with pytest.raises(ValidationError, match="没有报名"):
        checkin.scan_check_in(
            class_session, code=checkin.card_code(other_trainee), actor=instructor
        )
    assert not Booking.objects.exists()


def test_scanning_is_refused_before_the_window_and_after_the_end(
    booked, class_session, trainee, instructor
):
    code = checkin.card_code(trainee)
    move(class_session, starts_in=timedelta(minutes=31))
    with pytest.raises(ValidationError, match="签到尚未开始"):
        checkin.scan_check_in(class_session, code=code, actor=instructor)
    move(class_session, starts_in=-timedelta(hours=2, minutes=1))
    with pytest.raises(ValidationError, match="已结束"):
        checkin.scan_check_in(class_session, code=code, actor=instructor)
    assert not AttendanceRecord.objects.exists()


# --- the rotating session code -------------------------------------------------------


def test_the_session_code_accepts_this_minute_and_the_last_only(class_session):
    now = timezone.now()
    current = checkin.session_code(class_session, now)
    previous = checkin.session_code(class_session, now - timedelta(seconds=60))
    stale = checkin.session_code(class_session, now - timedelta(seconds=120))
    assert len(current) == 6 and current.isdigit()
    assert checkin.session_code_matches(class_session, current, now)
    assert checkin.session_code_matches(class_session, f" {current[:3]} {current[3:]}")
    assert checkin.session_code_matches(class_session, previous, now)
    assert not checkin.session_code_matches(class_session, stale, now)
    assert not checkin.session_code_matches(class_session, "", now)


def test_each_session_has_its_own_code(class_session):
    other = ClassSessionFactory(training_class=class_session.training_class)
    now = timezone.now()
    assert checkin.session_code(other, now) != checkin.session_code(class_session, now)


# --- self check-in -----------------------------------------------------------------


def test_a_booked_trainee_checks_in_with_the_current_code(
    booked, class_session, trainee
):
    move(class_session, starts_in=timedelta(minutes=20))
    done = checkin.self_check_in(
        class_session, trainee=trainee, code=checkin.session_code(class_session)
    )
    assert done.record.status == Status.PRESENT
    assert done.record.method == AttendanceRecord.Method.SELF
    assert done.record.checked_in_at is not None


def test_self_check_in_after_the_grace_is_late(booked, class_session, trainee):
    move(class_session, starts_in=-timedelta(minutes=15))
    done = checkin.self_check_in(
        class_session, trainee=trainee, code=checkin.session_code(class_session)
    )
    assert done.record.status == Status.LATE


@pytest.mark.parametrize(
    "starts_in", [timedelta(minutes=31), -timedelta(minutes=31), -timedelta(hours=3)]
)
def test_self_check_in_is_refused_outside_the_window(
    booked, class_session, trainee, starts_in
):
    move(class_session, starts_in=starts_in)
    with pytest.raises(ValidationError, match="不在签到时间内"):
        checkin.self_check_in(
            class_session, trainee=trainee, code=checkin.session_code(class_session)
        )
    assert not AttendanceRecord.objects.exists()


def test_self_check_in_is_refused_with_a_code_two_minutes_old(
    booked, class_session, trainee
):
    move(class_session, starts_in=timedelta(minutes=5))
    stale = checkin.session_code(class_session, timezone.now() - timedelta(seconds=120))
    with pytest.raises(ValidationError, match="不正确或已过期"):
        checkin.self_check_in(class_session, trainee=trainee, code=stale)
    assert not AttendanceRecord.objects.exists()


def test_self_check_in_is_refused_for_an_unbooked_session(
    class_session, active_enrollment, trainee
):
    move(class_session, starts_in=timedelta(minutes=5))
    with pytest.raises(ValidationError, match="没有预约"):
        checkin.self_check_in(
            class_session, trainee=trainee, code=checkin.session_code(class_session)
        )
    assert not AttendanceRecord.objects.exists()
    assert not Booking.objects.exists()


def test_self_check_in_is_refused_for_a_cancelled_session(
    booked, class_session, trainee
):
    move(class_session, starts_in=timedelta(minutes=5))
    BookableSession.objects.filter(pk=class_session.pk).update(
        cancelled_at=timezone.now()
    )
    class_session.refresh_from_db()
    with pytest.raises(ValidationError, match="已取消"):
        checkin.self_check_in(
            class_session, trainee=trainee, code=checkin.session_code(class_session)
        )


def test_five_wrong_codes_lock_self_check_in_even_for_the_right_one(
    booked, class_session, trainee, steady_rate_windows
):
    move(class_session, starts_in=timedelta(minutes=5))
    right = checkin.session_code(class_session)
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    for _ in range(checkin.SELF_TRIES):
        with pytest.raises(ValidationError, match="不正确"):
            checkin.self_check_in(class_session, trainee=trainee, code=wrong)
    with pytest.raises(ValidationError, match="次数过多"):
        checkin.self_check_in(class_session, trainee=trainee, code=right)
    assert not AttendanceRecord.objects.exists()


def test_tries_are_counted_per_trainee(
    booked, class_session, trainee, other_trainee, steady_rate_windows
):
    Enrollment.objects.create(
        training_class=class_session.training_class,
        trainee=other_trainee,
        status=Enrollment.Status.ACTIVE,
    )
    sessions.book_session(class_session, trainee=other_trainee, actor=other_trainee)
    move(class_session, starts_in=timedelta(minutes=5))
    right = checkin.session_code(class_session)
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    for _ in range(checkin.SELF_TRIES):
        with pytest.raises(ValidationError):
            checkin.self_check_in(class_session, trainee=trainee, code=wrong)
    done = checkin.self_check_in(class_session, trainee=other_trainee, code=right)
    assert done.record.trainee == other_trainee


def test_checking_in_twice_keeps_the_first_mark(booked, class_session, trainee):
    move(class_session, starts_in=timedelta(minutes=5))
    checkin.self_check_in(
        class_session, trainee=trainee, code=checkin.session_code(class_session)
    )
    move(class_session, starts_in=-timedelta(minutes=20))
    again = checkin.self_check_in(class_session, trainee=trainee, code="000000")
    assert again.already and again.record.status == Status.PRESENT


# --- races ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_wrong_codes_count_exactly_five_tries(
    class_session, active_enrollment, trainee, steady_rate_windows
):
    sessions.book_session(class_session, trainee=trainee, actor=trainee)
    move(class_session, starts_in=timedelta(minutes=5))
    right = checkin.session_code(class_session)
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    outcomes = run_concurrently(
        checkin.self_check_in, 10, class_session, trainee=trainee, code=wrong
    )
    messages = [" ".join(outcome.messages) for outcome in outcomes]
    assert sum("不正确" in text for text in messages) == checkin.SELF_TRIES
    assert sum("次数过多" in text for text in messages) == 10 - checkin.SELF_TRIES
    with pytest.raises(ValidationError, match="次数过多"):
        checkin.self_check_in(class_session, trainee=trainee, code=right)
    assert not AttendanceRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_staff_scanning_one_walk_in_at_once_seat_and_mark_once(
    class_session, active_enrollment, trainee, instructor, site_host
):
    move(class_session, starts_in=timedelta(minutes=5))
    code = checkin.card_code(trainee)
    outcomes = run_all_concurrently(
        [
            lambda staff=staff: checkin.scan_check_in(
                class_session, code=code, actor=staff
            )
            for staff in (instructor, site_host)
        ]
    )
    assert all(isinstance(outcome, checkin.CheckIn) for outcome in outcomes), outcomes
    assert Booking.objects.filter(trainee=trainee).count() == 1
    assert AttendanceRecord.objects.filter(trainee=trainee).count() == 1
    class_session.refresh_from_db()
    assert class_session.confirmed_count == 1
