"""Calendars, read back with icalendar: one stable entry per session (same UID,
SEQUENCE raised when it moves or is cancelled, STATUS:CANCELLED then), the
person's private feed behind a token, and a site's feed."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse

import pytest
from icalendar import Calendar

from courses import booking, calendars, sessions
from courses.models import BookableSession, Booking, CalendarFeed, Enrollment
from tests.courses.factories import ClassSessionFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def entries(ics: bytes) -> dict:
    """The VEVENTs of a calendar by UID (a UID twice would be a bug: fail)."""
    found = {}
    for event in Calendar.from_ical(ics).walk("VEVENT"):
        uid = str(event["UID"])
        assert uid not in found, f"{uid} twice"
        found[uid] = event
    return found


@pytest.fixture
def booked(class_session, trainee, active_enrollment) -> Booking:
    return sessions.book_session(class_session, trainee=trainee, actor=trainee)


def feed_url(owner) -> str:
    feed, _ = CalendarFeed.objects.get_or_create(owner=owner)
    return reverse("courses:calendar_feed", args=[feed.token])


def test_the_personal_calendar_holds_the_booked_session_in_utc(
    booked, class_session, trainee
):
    [entry] = entries(calendars.personal_calendar(trainee)).values()
    assert str(entry["UID"]) == class_session.calendar_uid
    assert entry["SEQUENCE"] == 0 and entry["STATUS"] == "CONFIRMED"
    assert entry.decoded("DTSTART") == class_session.starts_at
    assert entry["DTSTART"].to_ical().endswith(b"Z")  # written in UTC
    assert entry.decoded("DTEND") == class_session.ends_at
    assert "DTSTAMP" in entry
    assert "桃园社区党群服务中心" in str(entry["LOCATION"])
    assert str(entry["URL"]).endswith(
        f"/learning/classes/{class_session.training_class_id}/sessions/"
    )


def test_the_entry_keeps_its_uid_and_raises_its_sequence_when_rescheduled(
    booked, class_session, trainee, school_admin
):
    later = class_session.starts_at + timedelta(days=1)
    BookableSession.objects.filter(pk=class_session.pk).update(
        starts_at=later,
        ends_at=later + timedelta(hours=2),
        booking_closes_at=later - timedelta(days=1),
    )
    booking.reschedule(class_session, actor=school_admin)
    [entry] = entries(calendars.personal_calendar(trainee)).values()
    assert str(entry["UID"]) == class_session.calendar_uid
    assert entry["SEQUENCE"] == 1
    assert entry.decoded("DTSTART") == later


def test_a_cancelled_session_stays_in_the_feed_marked_cancelled(
    booked, class_session, trainee, school_admin
):
    booking.cancel_session(class_session, actor=school_admin, reason="场地维修")
    [entry] = entries(calendars.personal_calendar(trainee)).values()
    assert entry["STATUS"] == "CANCELLED" and entry["SEQUENCE"] == 1
    assert "场地维修" in str(entry["DESCRIPTION"])


def test_a_booking_cancelled_then_made_again_is_one_confirmed_entry(
    booked, class_session, trainee
):
    sessions.cancel_my_booking(booked, trainee=trainee)
    [entry] = entries(calendars.personal_calendar(trainee)).values()
    assert entry["STATUS"] == "CANCELLED"
    sessions.book_session(class_session, trainee=trainee, actor=trainee)
    [entry] = entries(calendars.personal_calendar(trainee)).values()
    assert entry["STATUS"] == "CONFIRMED"


def test_a_waitlisted_place_and_other_peoples_bookings_are_not_in_my_calendar(
    class_session, training_class, trainee, active_enrollment
):
    BookableSession.objects.filter(pk=class_session.pk).update(seats=1)
    other = UserFactory()
    Enrollment.objects.create(
        training_class=training_class, trainee=other, status=Enrollment.Status.ACTIVE
    )
    sessions.book_session(class_session, trainee=other, actor=other)
    sessions.book_session(class_session, trainee=trainee, actor=trainee)  # waits
    assert entries(calendars.personal_calendar(trainee)) == {}
    assert len(entries(calendars.personal_calendar(other))) == 1


def test_the_meeting_link_is_in_a_confirmed_online_entry_only(
    trainee, training_class, active_enrollment
):
    online = ClassSessionFactory(training_class=training_class)
    made = sessions.book_session(online, trainee=trainee, actor=trainee)
    [entry] = entries(calendars.personal_calendar(trainee)).values()
    assert online.meeting_url in str(entry["LOCATION"])
    sessions.cancel_my_booking(made, trainee=trainee)
    [entry] = entries(calendars.personal_calendar(trainee)).values()
    assert online.meeting_url not in entry.to_ical().decode()


def test_booking_ics_is_an_invitation_or_its_cancellation(booked, class_session):
    booked.trainee.email = "zhangsan@example.cn"
    invite = Calendar.from_ical(calendars.booking_ics(booked, cancelled=False))
    cancel = Calendar.from_ical(calendars.booking_ics(booked, cancelled=True))
    assert invite["METHOD"] == "REQUEST" and cancel["METHOD"] == "CANCEL"
    [invited] = invite.walk("VEVENT")
    [withdrawn] = cancel.walk("VEVENT")
    assert str(invited["UID"]) == str(withdrawn["UID"]) == class_session.calendar_uid
    assert invited["STATUS"] == "CONFIRMED" and withdrawn["STATUS"] == "CANCELLED"
    assert str(invited["ATTENDEE"]) == f"mailto:{booked.trainee.email}"
    assert str(invited["ORGANIZER"]).startswith("mailto:")


def test_the_site_calendar_lists_its_sessions_cancelled_ones_marked(
    class_session, practice_site, training_class, school_admin
):
    other = ClassSessionFactory(
        training_class=training_class, practice_site=practice_site
    )
    online = ClassSessionFactory(training_class=training_class)
    booking.cancel_session(other, actor=school_admin, reason="暴雨")
    found = entries(calendars.site_calendar(practice_site))
    assert set(found) == {class_session.calendar_uid, other.calendar_uid}
    assert online.calendar_uid not in found
    assert found[class_session.calendar_uid]["STATUS"] == "CONFIRMED"
    assert found[other.calendar_uid]["STATUS"] == "CANCELLED"
    assert found[other.calendar_uid]["SEQUENCE"] == 1


# --- the feed URL ----------------------------------------------------------------


def test_the_feed_is_served_as_text_calendar_to_whoever_holds_the_token(
    booked, trainee, class_session
):
    response = Client().get(feed_url(trainee))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert class_session.calendar_uid in entries(response.content)


def test_an_unknown_token_is_404(trainee):
    url = reverse("courses:calendar_feed", args=["not-a-token"])
    assert Client().get(url).status_code == 404


def test_another_persons_feed_never_shows_my_bookings_and_a_forged_token_is_404(
    booked, trainee, other_trainee
):
    # The token is the key: mine never leads to another person's calendar, and
    # my login does not open another person's feed without theirs.
    client = Client()
    client.force_login(trainee)
    theirs = client.get(feed_url(other_trainee))
    assert entries(theirs.content) == {}
    url = reverse("courses:calendar_feed", args=["x" + feed_url(trainee)[-20:]])
    assert client.get(url).status_code == 404


def test_resetting_the_token_makes_the_old_address_404(trainee, booked):
    client = Client()
    client.force_login(trainee)
    old = feed_url(trainee)
    client.post(reverse("courses:reset_calendar"))
    assert Client().get(old).status_code == 404
    assert Client().get(feed_url(trainee)).status_code == 200


def test_the_feed_of_a_deactivated_account_is_404(trainee, booked):
    url = feed_url(trainee)
    trainee.is_active = False
    trainee.save(update_fields=["is_active"])
    assert Client().get(url).status_code == 404
