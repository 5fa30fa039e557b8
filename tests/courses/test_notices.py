"""Booking e-mails: one per notified event, at most once (run twice, run at once,
fail then retry), with the session as a calendar invitation or its cancellation;
and the reminder before a session, once per booking however often the job runs."""

from datetime import datetime, timedelta

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

import pytest
from icalendar import Calendar

from courses import booking, notices, sessions
from courses.models import BookableSession, Booking, BookingEvent, Enrollment
from courses.tasks import send_booking_notice_task, send_session_reminders_task
from tests.concurrency import run_concurrently
from tests.courses.factories import ClassSessionFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Kind = BookingEvent.Kind


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def enrolled(training_class, **kwargs):
    kwargs.setdefault("email", f"trainee{UserFactory._meta.next_sequence()}@example.cn")
    person = UserFactory(**kwargs)
    Enrollment.objects.create(
        training_class=training_class, trainee=person, status=Enrollment.Status.ACTIVE
    )
    return person


def event_of(made: Booking, kind: str) -> BookingEvent:
    return BookingEvent.objects.get(booking=made, kind=kind)


def attached_calendar(message) -> Calendar:
    [(name, content, mimetype)] = message.attachments
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    return Calendar.from_ical(content)


def only_event(calendar: Calendar):
    [event] = calendar.walk("VEVENT")
    return event


@pytest.fixture(autouse=True)
def trainee_with_email(trainee):
    trainee.email = "zhangsan@example.cn"
    trainee.save(update_fields=["email"])
    return trainee


@pytest.fixture
def booked(class_session, trainee, active_enrollment) -> Booking:
    return sessions.book_session(class_session, trainee=trainee, actor=trainee)


# --- one e-mail per event --------------------------------------------------------


def test_a_booking_is_confirmed_once_with_a_calendar_invitation(
    booked, class_session, trainee
):
    event = event_of(booked, Kind.BOOKED)
    assert notices.send_booking_notice(event.pk) is True
    assert notices.send_booking_notice(event.pk) is False  # run twice
    assert send_booking_notice_task(event.pk) is False  # and as the queued task
    [message] = mail.outbox
    assert message.to == [trainee.email]
    assert "预约成功" in message.subject
    assert "桃园社区党群服务中心" in message.body
    assert message.body.rstrip().endswith("测试区网格学校")  # signed by the school
    assert f"/learning/classes/{class_session.training_class_id}/sessions/" in (
        message.body
    )
    calendar = attached_calendar(message)
    assert calendar["METHOD"] == "REQUEST"
    entry = only_event(calendar)
    assert str(entry["UID"]) == class_session.calendar_uid
    assert entry["SEQUENCE"] == 0
    assert entry["STATUS"] == "CONFIRMED"
    assert entry.decoded("DTSTART") == class_session.starts_at
    event.refresh_from_db()
    assert event.notified_at is not None


def test_the_engine_queues_the_notice_after_commit(
    class_session, trainee, active_enrollment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        made = sessions.book_session(class_session, trainee=trainee, actor=trainee)
    [message] = mail.outbox
    assert "预约成功" in message.subject
    assert event_of(made, Kind.BOOKED).notified_at is not None


@pytest.fixture
def database_queue(monkeypatch):
    """The queue as `make run` has it: rows in the default database, run by a
    worker (the test settings run jobs at once)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "ORM", "default")


def queued_notices() -> list[int]:
    from django_q.models import OrmQ

    return [
        job.task["args"][0]
        for job in OrmQ.objects.all()
        if job.task["func"] == "courses.tasks.send_booking_notice_task"
    ]


def test_with_the_database_as_queue_the_notice_commits_with_the_booking(
    database_queue, class_session, trainee, active_enrollment
):
    made = sessions.book_session(class_session, trainee=trainee, actor=trainee)
    assert queued_notices() == [event_of(made, Kind.BOOKED).pk]
    assert not mail.outbox  # the worker sends it


def test_with_the_database_as_queue_a_rolled_back_booking_queues_nothing(
    database_queue, class_session, trainee, active_enrollment
):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        sessions.book_session(class_session, trainee=trainee, actor=trainee)
        raise RuntimeError("the request failed after booking")
    assert not Booking.objects.exists()
    assert queued_notices() == []


def test_a_failed_send_is_retried_and_then_sent_once(booked, settings):
    event = event_of(booked, Kind.BOOKED)
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    with pytest.raises(ConnectionRefusedError):
        notices.send_booking_notice(event.pk)
    event.refresh_from_db()
    assert event.notified_at is None  # the claim is withdrawn

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notices.send_booking_notice(event.pk) is True
    assert notices.send_booking_notice(event.pk) is False
    assert len(mail.outbox) == 1


def test_nobody_without_an_email_address_is_written_to(class_session, training_class):
    person = enrolled(training_class, email="")
    made = sessions.book_session(class_session, trainee=person, actor=person)
    event = event_of(made, Kind.BOOKED)
    assert notices.send_booking_notice(event.pk) is False
    assert not mail.outbox


def test_a_reminded_event_or_a_missing_one_sends_nothing(booked):
    assert notices.send_booking_notice(10**9) is False
    reminded = BookingEvent.objects.create(booking=booked, kind=Kind.REMINDED)
    assert notices.send_booking_notice(reminded.pk) is False
    assert not mail.outbox


def test_the_waitlist_e_mail_says_the_position_and_carries_no_invitation(
    class_session, training_class, booked
):
    BookableSession.objects.filter(pk=class_session.pk).update(seats=1)
    person = enrolled(training_class)
    waiting = sessions.book_session(class_session, trainee=person, actor=person)
    notices.send_booking_notice(event_of(waiting, Kind.WAITLISTED).pk)
    [message] = mail.outbox
    assert "第 1 位" in message.subject and "第 1 位" in message.body
    assert not message.attachments


def test_promotion_invites_and_cancellation_withdraws_the_same_entry(
    class_session, training_class, booked, trainee
):
    BookableSession.objects.filter(pk=class_session.pk).update(seats=1)
    person = enrolled(training_class)
    waiting = sessions.book_session(class_session, trainee=person, actor=person)
    sessions.cancel_my_booking(booked, trainee=trainee)

    notices.send_booking_notice(event_of(booked, Kind.CANCELLED).pk)
    notices.send_booking_notice(event_of(waiting, Kind.PROMOTED).pk)
    cancelled, promoted = mail.outbox
    assert "预约已取消" in cancelled.subject
    calendar = attached_calendar(cancelled)
    assert calendar["METHOD"] == "CANCEL"
    assert only_event(calendar)["STATUS"] == "CANCELLED"
    assert "候补已转为预约成功" in promoted.subject
    assert promoted.to == [person.email]
    calendar = attached_calendar(promoted)
    assert calendar["METHOD"] == "REQUEST"
    assert str(only_event(calendar)["UID"]) == class_session.calendar_uid


def test_a_rescheduled_session_moves_the_entry_with_a_higher_sequence(
    booked, class_session, school_admin
):
    later = class_session.starts_at + timedelta(hours=1)
    BookableSession.objects.filter(pk=class_session.pk).update(
        starts_at=later, ends_at=later + timedelta(hours=2)
    )
    booking.reschedule(class_session, actor=school_admin, note="推迟一小时")
    notices.send_booking_notice(event_of(booked, Kind.RESCHEDULED).pk)
    [message] = mail.outbox
    assert "推迟一小时" in message.body
    entry = only_event(attached_calendar(message))
    assert entry["SEQUENCE"] == 1
    assert entry.decoded("DTSTART") == later


def test_a_cancelled_session_is_withdrawn_from_the_calendar_with_the_reason(
    booked, class_session, school_admin
):
    booking.cancel_session(class_session, actor=school_admin, reason="场地维修")
    notices.send_booking_notice(event_of(booked, Kind.SESSION_CANCELLED).pk)
    [message] = mail.outbox
    assert "场次已取消" in message.subject and "场地维修" in message.body
    calendar = attached_calendar(message)
    assert calendar["METHOD"] == "CANCEL"
    entry = only_event(calendar)
    assert entry["STATUS"] == "CANCELLED" and entry["SEQUENCE"] == 1
    assert str(entry["UID"]) == class_session.calendar_uid


def test_a_confirmation_overtaken_by_a_cancellation_does_not_reinvite(booked, trainee):
    sessions.cancel_my_booking(booked, trainee=trainee)
    notices.send_booking_notice(event_of(booked, Kind.BOOKED).pk)
    [message] = mail.outbox
    assert not message.attachments


@pytest.mark.django_db(transaction=True)
def test_the_same_notice_sent_from_several_workers_at_once_goes_out_once(
    class_session, trainee, active_enrollment
):
    made = sessions.book_session(class_session, trainee=trainee, actor=trainee)
    event = event_of(made, Kind.BOOKED)
    # The synchronous queue sent it after commit already: withdraw that, then race.
    BookingEvent.objects.filter(pk=event.pk).update(notified_at=None)
    mail.outbox.clear()
    outcomes = run_concurrently(notices.send_booking_notice, 4, event.pk)
    assert outcomes.count(True) == 1 and outcomes.count(False) == 3
    assert len(mail.outbox) == 1


# --- reminders -----------------------------------------------------------------------


def local(day: datetime, hour: int) -> datetime:
    return timezone.localtime(day).replace(hour=hour, minute=0, second=0, microsecond=0)


def test_the_day_before_each_confirmed_booker_is_reminded_once(
    booked, class_session, trainee
):
    eve = local(class_session.starts_at - timedelta(days=1), 10)
    assert notices.send_session_reminders(now=eve) == 1
    assert notices.send_session_reminders(now=eve + timedelta(hours=1)) == 0
    [message] = mail.outbox
    assert message.to == [trainee.email] and "场次提醒" in message.subject
    booked.refresh_from_db()
    assert booked.reminded_at == eve
    assert booked.events.filter(kind=Kind.REMINDED).count() == 1


def test_a_run_two_days_ahead_reminds_nobody_yet(booked, class_session):
    early = local(class_session.starts_at - timedelta(days=2), 23)
    assert notices.send_session_reminders(now=early) == 0
    assert not mail.outbox


def test_a_late_run_still_reminds_of_a_session_later_today(booked, class_session):
    same_day = local(class_session.starts_at, 9)
    assert notices.send_session_reminders(now=same_day) == 1
    assert notices.send_session_reminders(now=same_day + timedelta(hours=2)) == 0
    assert len(mail.outbox) == 1


def test_a_session_already_started_is_not_reminded(booked, class_session):
    started = class_session.starts_at + timedelta(minutes=5)
    assert notices.send_session_reminders(now=started) == 0


def test_waitlisted_cancelled_and_just_booked_people_are_not_reminded(
    class_session, training_class, booked, trainee, school_admin
):
    BookableSession.objects.filter(pk=class_session.pk).update(seats=1)
    person = enrolled(training_class)
    sessions.book_session(class_session, trainee=person, actor=person)  # waitlisted
    eve = local(class_session.starts_at - timedelta(days=1), 10)
    # Booked a moment before the run: the confirmation has just said it all.
    Booking.objects.filter(pk=booked.pk).update(confirmed_at=eve - timedelta(minutes=5))
    assert notices.send_session_reminders(now=eve) == 0
    Booking.objects.filter(pk=booked.pk).update(confirmed_at=eve - timedelta(hours=2))
    booking.cancel_session(class_session, actor=school_admin, reason="暴雨")
    assert notices.send_session_reminders(now=eve) == 0
    assert not mail.outbox


def test_a_failed_reminder_is_sent_by_the_next_run(booked, class_session, settings):
    eve = local(class_session.starts_at - timedelta(days=1), 10)
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    assert notices.send_session_reminders(now=eve) == 0
    booked.refresh_from_db()
    assert booked.reminded_at is None
    assert not booked.events.filter(kind=Kind.REMINDED).exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notices.send_session_reminders(now=eve + timedelta(hours=1)) == 1
    assert len(mail.outbox) == 1


def test_the_reminder_task_runs_the_job(booked, class_session):
    # The scheduled entry point: with the real clock nothing is due three days
    # ahead, and nothing is sent.
    assert send_session_reminders_task() == 0
    assert not mail.outbox


@pytest.mark.django_db(transaction=True)
def test_reminder_runs_at_the_same_moment_remind_once(
    class_session, trainee, active_enrollment, training_class
):
    people = [trainee] + [enrolled(training_class) for _ in range(2)]
    for person in people:
        sessions.book_session(class_session, trainee=person, actor=person)
    mail.outbox.clear()  # the confirmations, sent after commit
    eve = local(class_session.starts_at - timedelta(days=1), 10)
    outcomes = run_concurrently(notices.send_session_reminders, 4, now=eve)
    assert sum(outcomes) == 3, outcomes
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert BookingEvent.objects.filter(kind=Kind.REMINDED).count() == 3


def test_an_online_session_reminder_carries_the_meeting_link(training_class):
    person = enrolled(training_class)
    online = ClassSessionFactory(training_class=training_class)
    sessions.book_session(online, trainee=person, actor=person)
    eve = local(online.starts_at - timedelta(days=1), 10)
    assert notices.send_session_reminders(now=eve) == 1
    [message] = mail.outbox
    assert online.meeting_url in message.body
