"""Booking notices and reminders in the 消息中心: one notification per event and
one per reminder however often the jobs run, e-mail address or not, and no second
e-mail (the booking e-mail with its calendar attachment stays the only one)."""

from datetime import timedelta

from django.core import mail

import pytest

from courses import notices, sessions
from courses.models import BookableSession, BookingEvent
from school.models import Notification, NotificationDelivery
from tests.courses.test_notices import enrolled, event_of, local

pytestmark = pytest.mark.django_db

Kind = BookingEvent.Kind


def test_a_booking_notice_run_twice_writes_one_notification_and_one_email(
    class_session, training_class
):
    person = enrolled(training_class)
    made = sessions.book_session(class_session, trainee=person, actor=person)
    event = event_of(made, Kind.BOOKED)
    assert notices.send_booking_notice(event.pk) is True
    assert notices.send_booking_notice(event.pk) is False
    [notification] = Notification.objects.filter(recipient=person)
    assert notification.kind == Notification.Kind.BOOKING
    assert notification.key == f"booking-event-{event.pk}"
    assert "预约成功" in notification.title
    assert notification.url == f"/learning/classes/{training_class.pk}/sessions/"
    assert notification.read_at is None
    assert len(mail.outbox) == 1 and mail.outbox[0].attachments
    assert not NotificationDelivery.objects.exists()


def test_someone_without_an_email_address_is_told_in_the_notification_centre(
    class_session, training_class
):
    person = enrolled(training_class, email="")
    made = sessions.book_session(class_session, trainee=person, actor=person)
    assert notices.send_booking_notice(event_of(made, Kind.BOOKED).pk) is False
    assert notices.send_booking_notice(event_of(made, Kind.BOOKED).pk) is False
    assert Notification.objects.filter(recipient=person).count() == 1
    assert not mail.outbox


def test_a_promotion_from_the_waitlist_is_its_own_kind(class_session, training_class):
    BookableSession.objects.filter(pk=class_session.pk).update(seats=1)
    first, second = enrolled(training_class), enrolled(training_class)
    made = sessions.book_session(class_session, trainee=first, actor=first)
    waiting = sessions.book_session(class_session, trainee=second, actor=second)
    sessions.cancel_my_booking(made, trainee=first)
    for _ in range(2):
        notices.send_booking_notice(event_of(waiting, Kind.WAITLISTED).pk)
        notices.send_booking_notice(event_of(waiting, Kind.PROMOTED).pk)
    kinds = sorted(
        Notification.objects.filter(recipient=second).values_list("kind", flat=True)
    )
    assert kinds == ["booking", "waitlist_promoted"]


def test_the_reminder_run_twice_writes_one_notification(class_session, training_class):
    with_address = enrolled(training_class)
    without = enrolled(training_class, email="")
    for person in (with_address, without):
        sessions.book_session(class_session, trainee=person, actor=person)
    eve = local(class_session.starts_at - timedelta(days=1), 10)
    assert notices.send_session_reminders(now=eve) == 2
    assert notices.send_session_reminders(now=eve + timedelta(hours=1)) == 0
    reminders = Notification.objects.filter(kind=Notification.Kind.REMINDER)
    assert sorted(reminders.values_list("recipient", flat=True)) == sorted(
        [with_address.pk, without.pk]
    )
    assert all("场次提醒" in n.title for n in reminders)
    [message] = mail.outbox
    assert message.to == [with_address.email]
