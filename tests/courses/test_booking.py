"""The booking engine: seats, waitlist, promotion, quotas and cut-off."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest

from courses import booking, sessions
from courses.models import BookableSession, Booking, BookingEvent, Enrollment
from tests.factories import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Booking.Status


def enrolled(training_class, **kwargs):
    person = UserFactory(**kwargs)
    Enrollment.objects.create(
        training_class=training_class, trainee=person, status=Enrollment.Status.ACTIVE
    )
    return person


def test_booking_takes_a_seat_and_records_who(
    class_session, trainee, active_enrollment
):
    made = sessions.book_session(class_session, trainee=trainee, actor=trainee)
    assert made.status == Status.CONFIRMED
    class_session.refresh_from_db()
    assert class_session.confirmed_count == 1
    assert list(made.events.values_list("kind", "actor")) == [
        (BookingEvent.Kind.BOOKED, trainee.pk)
    ]


def test_full_session_waitlists_in_order_and_cancelling_promotes_the_first(
    class_session, training_class
):
    BookableSession.objects.filter(pk=class_session.pk).update(seats=1)
    first, second, third = (enrolled(training_class) for _ in range(3))
    seat = sessions.book_session(class_session, trainee=first, actor=first)
    waiting = [
        sessions.book_session(class_session, trainee=p, actor=p)
        for p in (second, third)
    ]
    assert [b.status for b in waiting] == [Status.WAITLISTED] * 2
    assert [booking.waitlist_position(b) for b in waiting] == [1, 2]

    sessions.cancel_my_booking(seat, trainee=first)

    waiting[0].refresh_from_db()
    waiting[1].refresh_from_db()
    assert waiting[0].status == Status.CONFIRMED and waiting[0].promoted_at
    assert booking.waitlist_position(waiting[1]) == 1
    class_session.refresh_from_db()
    assert class_session.confirmed_count == 1
    # Running promotion again changes nothing.
    assert booking.promote_waitlist(class_session) == []


def test_a_trainee_not_enrolled_cannot_book(class_session, other_trainee):
    with pytest.raises(ValidationError, match="没有报名"):
        sessions.book_session(class_session, trainee=other_trainee, actor=other_trainee)
    assert not Booking.objects.exists()


def test_booking_twice_is_refused(class_session, trainee, active_enrollment):
    sessions.book_session(class_session, trainee=trainee, actor=trainee)
    with pytest.raises(ValidationError, match="不能重复预约"):
        sessions.book_session(class_session, trainee=trainee, actor=trainee)
    assert Booking.objects.count() == 1


def test_cancelling_after_the_cutoff_says_whom_to_contact(
    class_session, trainee, active_enrollment, site_host
):
    made = sessions.book_session(class_session, trainee=trainee, actor=trainee)
    BookableSession.objects.filter(pk=class_session.pk).update(
        booking_closes_at=timezone.now() - timedelta(minutes=1)
    )
    made.refresh_from_db()
    with pytest.raises(ValidationError, match=site_host.phone):
        sessions.cancel_my_booking(made, trainee=trainee)
    made.refresh_from_db()
    assert made.status == Status.CONFIRMED


def test_quota_seats_go_to_members_until_released(
    class_session, training_class, school_admin
):
    street = OrgUnitFactory(name="东街")
    BookableSession.objects.filter(pk=class_session.pk).update(seats=2)
    class_session.refresh_from_db()
    quota = booking.reserve_seats(
        class_session, org_unit=street, seats=1, actor=school_admin
    )
    outsider_1, outsider_2 = enrolled(training_class), enrolled(training_class)
    member = enrolled(training_class, org_unit=street)

    assert (
        sessions.book_session(
            class_session, trainee=outsider_1, actor=outsider_1
        ).status
        == Status.CONFIRMED
    )
    late = sessions.book_session(class_session, trainee=outsider_2, actor=outsider_2)
    assert late.status == Status.WAITLISTED
    class_session.refresh_from_db()
    assert booking.seats_left_for(class_session, member) == 1
    assert booking.seats_left_for(class_session, outsider_2) == 0

    assert booking.release_quota(quota) is True
    assert booking.release_quota(quota) is False
    late.refresh_from_db()
    assert late.status == Status.CONFIRMED
    class_session.refresh_from_db()
    assert class_session.confirmed_count == 2 == class_session.seats


def test_withdrawing_from_the_class_releases_bookings(
    class_session, trainee, active_enrollment
):
    from courses.services import withdraw_enrollment

    made = sessions.book_session(class_session, trainee=trainee, actor=trainee)
    withdraw_enrollment(active_enrollment, actor=trainee)
    made.refresh_from_db()
    assert made.status == Status.CANCELLED
    assert made.events.last().kind == BookingEvent.Kind.RELEASED
    class_session.refresh_from_db()
    assert class_session.confirmed_count == 0


def test_cancelling_the_session_cancels_every_booking_and_frees_the_seats(
    class_session, training_class, school_admin
):
    BookableSession.objects.filter(pk=class_session.pk).update(seats=1)
    seat, wait = (
        sessions.book_session(class_session, trainee=p, actor=p)
        for p in (enrolled(training_class), enrolled(training_class))
    )
    with pytest.raises(ValidationError, match="取消原因"):
        booking.cancel_session(class_session, actor=school_admin, reason="  ")

    assert booking.cancel_session(class_session, actor=school_admin, reason="暴雨") == 2

    assert set(Booking.objects.values_list("status", flat=True)) == {Status.CANCELLED}
    assert (
        BookingEvent.objects.filter(
            kind=BookingEvent.Kind.SESSION_CANCELLED, note="暴雨"
        ).count()
        == 2
    )
    class_session.refresh_from_db()
    assert class_session.confirmed_count == 0 and class_session.sequence == 1
    with pytest.raises(ValidationError, match="已取消"):
        sessions.book_session(class_session, trainee=seat.trainee, actor=seat.trainee)


def test_seats_cannot_drop_below_the_confirmed_and_more_seats_promote(
    class_session, training_class, school_admin
):
    BookableSession.objects.filter(pk=class_session.pk).update(seats=2)
    people = [enrolled(training_class) for _ in range(3)]
    made = [sessions.book_session(class_session, trainee=p, actor=p) for p in people]
    with pytest.raises(ValidationError, match="不能少于 2"):
        booking.change_seats(class_session, seats=1, actor=school_admin)

    booking.change_seats(class_session, seats=3, actor=school_admin)

    made[2].refresh_from_db()
    assert made[2].status == Status.CONFIRMED
    class_session.refresh_from_db()
    assert (class_session.seats, class_session.confirmed_count) == (3, 3)


def test_only_free_open_seats_can_be_reserved(
    class_session, training_class, school_admin
):
    street = OrgUnitFactory(name="西街")
    BookableSession.objects.filter(pk=class_session.pk).update(seats=2)
    class_session.refresh_from_db()
    person = enrolled(training_class)
    sessions.book_session(class_session, trainee=person, actor=person)
    with pytest.raises(ValidationError, match="只剩 1"):
        booking.reserve_seats(
            class_session, org_unit=street, seats=2, actor=school_admin
        )
    assert not class_session.quotas.exists()
    class_session.refresh_from_db()
    assert class_session.reserved_seats == 0


def test_due_quotas_are_released_once(class_session, school_admin):
    street = OrgUnitFactory(name="南街")
    booking.reserve_seats(class_session, org_unit=street, seats=5, actor=school_admin)
    BookableSession.objects.filter(pk=class_session.pk).update(
        quota_release_at=timezone.now() - timedelta(minutes=1)
    )
    assert booking.release_due_quotas() == 1
    assert booking.release_due_quotas() == 0
    class_session.refresh_from_db()
    assert class_session.reserved_seats == 0
    assert class_session.open_seats_left == class_session.seats


def test_a_walk_in_takes_a_seat_after_the_cutoff_but_never_waits(
    class_session, training_class, site_host
):
    BookableSession.objects.filter(pk=class_session.pk).update(
        seats=1, booking_closes_at=timezone.now() - timedelta(minutes=1)
    )
    first, second = enrolled(training_class), enrolled(training_class)
    walk_in = sessions.add_walk_in(class_session, trainee=first, actor=site_host)
    assert (walk_in.status, walk_in.source) == (
        Status.CONFIRMED,
        Booking.Source.WALK_IN,
    )
    with pytest.raises(ValidationError, match="已满"):
        sessions.add_walk_in(class_session, trainee=second, actor=site_host)
    with pytest.raises(ValidationError, match="截止"):
        sessions.book_session(class_session, trainee=second, actor=second)
    assert Booking.objects.count() == 1
