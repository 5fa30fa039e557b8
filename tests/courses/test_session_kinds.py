"""The registry of bookable-session kinds: a class session is described exactly as
its e-mails and calendars always said, every kind in one query, the contact read
only when asked, and a session of no registered kind left out (nobody written to,
nothing listed)."""

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

import pytest

from courses import booking, calendars, notices, sessions
from courses.models import BookableSession, BookingEvent
from courses.session_kinds import describe, describe_sessions
from school.selectors import schools_for_navigation
from tests.courses.factories import ClassSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def trainee_with_email(trainee):
    trainee.email = "zhangsan@example.cn"
    trainee.save(update_fields=["email"])
    return trainee


def test_a_class_session_is_described_as_its_e_mails_and_calendars_say(
    class_session, site_host
):
    [(session, info)] = describe_sessions([class_session.pk]).values()
    assert session == class_session
    assert info.summary == class_session.training_class.course.title  # untitled
    assert info.label == str(class_session.training_class)
    assert info.title == ""
    assert (
        info.place
        == "桃园社区党群服务中心（" + class_session.practice_site.address + "）"
    )
    assert not info.is_online and info.meeting_url == ""
    assert info.page_path == reverse(
        "courses:class_sessions", args=[class_session.training_class_id]
    )
    assert info.organiser_name == "测试区网格学校"
    assert info.contact == f"教学点负责人 赵站长（{site_host.phone}）"
    assert str(info.kind_name) == "培训班"


def test_a_titled_class_session_is_summarised_by_course_and_title(training_class):
    online = ClassSessionFactory(training_class=training_class, title="入户走访实操")
    info = describe(online)
    assert info.summary == f"{training_class.course.title} · 入户走访实操"
    assert info.title == "入户走访实操" and info.place == "线上"
    assert info.is_online and info.meeting_url == online.meeting_url


def test_sessions_are_described_in_one_query_and_the_contact_only_when_asked(
    class_session, training_class, django_assert_num_queries
):
    others = [ClassSessionFactory(training_class=training_class) for _ in range(3)]
    ids = [class_session.pk, *(s.pk for s in others)]
    schools_for_navigation()  # the schools, cached for every page (and e-mail)
    with django_assert_num_queries(1):
        described = describe_sessions(ids)
    assert set(described) == set(ids)
    _session, info = described[class_session.pk]
    with django_assert_num_queries(1):  # the site's hosts, once
        assert info.contact.startswith("教学点负责人")
        assert info.contact.startswith("教学点负责人")


def test_the_personal_feed_reads_in_two_queries_however_many_sessions(
    trainee, training_class, active_enrollment, django_assert_num_queries
):
    for _ in range(4):
        session = ClassSessionFactory(training_class=training_class)
        sessions.book_session(session, trainee=trainee, actor=trainee)
    schools_for_navigation()
    with django_assert_num_queries(2):  # the bookings, the sessions
        calendars.personal_calendar(trainee)


@pytest.fixture
def plain_session(class_session) -> BookableSession:
    """A session of no registered kind (a bare engine row), at the same time as
    the class session."""
    return BookableSession.objects.create(
        starts_at=class_session.starts_at,
        ends_at=class_session.ends_at,
        booking_closes_at=class_session.booking_closes_at,
        seats=5,
    )


def test_a_session_of_no_registered_kind_is_skipped_everywhere(
    plain_session, class_session, trainee, active_enrollment
):
    assert describe_sessions([plain_session.pk]) == {}
    made = booking.book(plain_session, trainee=trainee, actor=trainee)
    sessions.book_session(class_session, trainee=trainee, actor=trainee)
    event = BookingEvent.objects.get(booking=made, kind=BookingEvent.Kind.BOOKED)
    assert notices.send_booking_notice(event.pk) is False
    assert not mail.outbox
    eve = timezone.localtime(plain_session.starts_at - timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    # Only the class session is known: its booking is reminded, the other skipped.
    assert notices.send_session_reminders(now=eve) == 1
    made.refresh_from_db()
    assert made.reminded_at is None
    assert class_session.calendar_uid in calendars.personal_calendar(trainee).decode()
    assert (
        plain_session.calendar_uid not in calendars.personal_calendar(trainee).decode()
    )


def test_a_class_confirmation_names_the_class_the_contact_and_the_school(
    class_session, trainee, active_enrollment, site_host
):
    made = sessions.book_session(class_session, trainee=trainee, actor=trainee)
    event = BookingEvent.objects.get(booking=made, kind=BookingEvent.Kind.BOOKED)
    assert notices.send_booking_notice(event.pk) is True
    [message] = mail.outbox
    assert f"预约成功：{class_session.training_class}" in message.subject
    assert f"培训班：{class_session.training_class}\n" in message.body
    assert f"截止后请联系教学点负责人 赵站长（{site_host.phone}）" in message.body
    assert message.body.rstrip().endswith("测试区网格学校")
