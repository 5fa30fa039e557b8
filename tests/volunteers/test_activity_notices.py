"""Booking e-mails, reminders and calendars for community activity sessions: the
same engine notices as class sessions, in the activity's own words (its title,
its space, its organiser), sent once each."""

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

import pytest
from icalendar import Calendar

from courses import calendars, notices, sessions
from courses.models import BookableSession, Booking, BookingEvent
from courses.session_kinds import describe_sessions
from courses.tasks import send_booking_notice_task
from volunteers import activities

pytestmark = pytest.mark.django_db

Kind = BookingEvent.Kind


@pytest.fixture(autouse=True)
def people_with_email(trainee, other_trainee):
    trainee.email = "zhangsan@example.cn"
    trainee.save(update_fields=["email"])
    other_trainee.email = "lisi@example.cn"
    other_trainee.save(update_fields=["email"])


def attached_event(message):
    [(name, content, mimetype)] = message.attachments
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    calendar = Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def mails_to(person) -> list:
    return [message for message in mail.outbox if message.to == [person.email]]


def sign_up(session, person, capture):
    """Sign up as the site does: the notice job runs once the booking commits."""
    with capture(execute=True):
        return activities.sign_up(session, person=person)


def test_an_activity_session_is_described_by_its_activity_and_space(
    night_session, approved_night_school, manager, space_staff
):
    [(session, info)] = describe_sessions([night_session.pk]).values()
    assert session == night_session
    assert info.summary == "智能手机夜校"
    assert info.label == "智能手机夜校 · 桃园社区活动室"
    assert info.place == "桃园社区活动室（桃园路 1 号二楼）"
    assert not info.is_online and info.meeting_url == ""
    assert info.page_path == reverse(
        "activities:activity", args=[approved_night_school.pk]
    )
    assert info.organiser_name == "桃园社区 · 郑主理"
    assert "郑主理" in info.contact and "吴干事" in info.contact


def test_a_sign_up_is_confirmed_once_with_an_invitation_to_the_activity(
    night_session, approved_night_school, trainee, django_capture_on_commit_callbacks
):
    made = sign_up(night_session, trainee, django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert message.to == [trainee.email]
    assert message.subject.startswith("预约成功：智能手机夜校 · 桃园社区活动室")
    assert "社区活动：智能手机夜校 · 桃园社区活动室\n" in message.body
    assert "地点：桃园社区活动室（桃园路 1 号二楼）" in message.body
    assert "截止后请联系活动发起人或社区工作人员 郑主理" in message.body
    assert f"/activities/{approved_night_school.pk}/" in message.body
    assert message.body.rstrip().endswith("桃园社区 · 郑主理")
    calendar, entry = attached_event(message)
    assert calendar["METHOD"] == "REQUEST"
    assert str(entry["SUMMARY"]) == "智能手机夜校"
    assert "活动室" in str(entry["LOCATION"])
    assert str(entry["UID"]) == night_session.calendar_uid
    assert entry["STATUS"] == "CONFIRMED"
    assert str(entry["URL"]).endswith(f"/activities/{approved_night_school.pk}/")

    # The job run again (a retry, a second worker) sends nothing more.
    event = BookingEvent.objects.get(booking=made, kind=Kind.BOOKED)
    assert event.notified_at is not None
    assert send_booking_notice_task(event.pk) is False
    assert notices.send_booking_notice(event.pk) is False
    assert len(mail.outbox) == 1


def test_a_waitlist_promotion_mails_the_promoted_person(
    night_session, trainee, other_trainee, django_capture_on_commit_callbacks
):
    BookableSession.objects.filter(pk=night_session.pk).update(seats=1)
    first = sign_up(night_session, trainee, django_capture_on_commit_callbacks)
    waiting = sign_up(night_session, other_trainee, django_capture_on_commit_callbacks)
    assert waiting.status == Booking.Status.WAITLISTED
    [waitlisted] = mails_to(other_trainee)
    assert "第 1 位" in waitlisted.subject and not waitlisted.attachments

    with django_capture_on_commit_callbacks(execute=True):
        activities.cancel_sign_up(first, person=trainee)
    waitlisted, promoted = mails_to(other_trainee)
    assert promoted.subject.startswith("候补已转为预约成功：智能手机夜校")
    calendar, entry = attached_event(promoted)
    assert calendar["METHOD"] == "REQUEST"
    assert str(entry["UID"]) == night_session.calendar_uid
    confirmed, cancelled = mails_to(trainee)
    assert attached_event(cancelled)[0]["METHOD"] == "CANCEL"


def test_cancelling_the_activity_withdraws_everyone_s_entry(
    night_session,
    approved_night_school,
    trainee,
    other_trainee,
    manager,
    django_capture_on_commit_callbacks,
):
    for person in (trainee, other_trainee):
        sign_up(night_session, person, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        activities.cancel_activity(approved_night_school, actor=manager, reason="停电")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [trainee.email, other_trainee.email]
    )
    for message in mail.outbox:
        assert message.subject.startswith("场次已取消：智能手机夜校")
        assert "停电" in message.body
        calendar, entry = attached_event(message)
        assert calendar["METHOD"] == "CANCEL"
        assert entry["STATUS"] == "CANCELLED" and entry["SEQUENCE"] == 1
        assert str(entry["UID"]) == night_session.calendar_uid


def test_an_activity_booker_is_reminded_once(night_session, trainee):
    made = activities.sign_up(night_session, person=trainee)
    eve = timezone.localtime(night_session.starts_at - timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    Booking.objects.filter(pk=made.pk).update(confirmed_at=eve - timedelta(hours=2))
    assert notices.send_session_reminders(now=eve) == 1
    assert notices.send_session_reminders(now=eve + timedelta(hours=1)) == 0
    [message] = mail.outbox
    assert message.to == [trainee.email]
    assert message.subject.startswith("场次提醒：智能手机夜校 · 桃园社区活动室")
    assert "请联系活动发起人或社区工作人员" in message.body
    made.refresh_from_db()
    assert made.reminded_at == eve


def test_the_personal_feed_holds_class_and_activity_sessions(
    night_session, class_session, trainee, active_enrollment
):
    sessions.book_session(class_session, trainee=trainee, actor=trainee)
    activities.sign_up(night_session, person=trainee)
    calendar = Calendar.from_ical(calendars.personal_calendar(trainee))
    assert str(calendar["X-WR-CALNAME"]) == "我的日程"
    found = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(found) == {class_session.calendar_uid, night_session.calendar_uid}
    activity = found[night_session.calendar_uid]
    assert str(activity["SUMMARY"]) == "智能手机夜校"
    assert "活动室" in str(activity["LOCATION"])
    assert activity["STATUS"] == "CONFIRMED"
    assert "桃园社区党群服务中心" in str(found[class_session.calendar_uid]["LOCATION"])
