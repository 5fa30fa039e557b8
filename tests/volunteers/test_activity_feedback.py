"""Residents rate a community activity's session they attended, once (editable
for 7 days), and its organiser reads the summary without names or phones. Eight
submits at once leave one row, on file SQLite and on PostgreSQL."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from courses import feedback as ratings
from courses.models import AttendanceRecord, BookableSession, Booking, Feedback
from tests.concurrency import run_all_concurrently
from volunteers import activities

Status = AttendanceRecord.Status
CROWD = 8


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def move(session, *, starts_in: timedelta) -> None:
    starts_at = timezone.now() + starts_in
    BookableSession.objects.filter(pk=session.pk).update(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        booking_closes_at=starts_at - timedelta(days=1),
    )
    session.refresh_from_db()


def mark(session, person, status, actor) -> None:
    booking = Booking.objects.confirmed().get(session_id=session.pk, trainee=person)
    from courses.attendance import mark_roster

    mark_roster(session, marks={booking.pk: status}, actor=actor)


@pytest.fixture
def held(night_session, trainee, other_trainee, manager):
    """张三 came, 李四 signed up and did not; the session ended an hour ago."""
    activities.sign_up(night_session, person=trainee)
    activities.sign_up(night_session, person=other_trainee)
    move(night_session, starts_in=-timedelta(minutes=5))
    mark(night_session, trainee, Status.PRESENT, manager)
    mark(night_session, other_trainee, Status.ABSENT, manager)
    move(night_session, starts_in=-timedelta(hours=3))
    return night_session


def url(name, session) -> str:
    return reverse(f"activity_checkin:{name}", args=[session.pk])


@pytest.mark.django_db
def test_an_attendee_rates_the_session_once_and_may_change_it(held, trainee):
    client = client_for(trainee)
    assert client.get(url("feedback", held)).status_code == 200

    client.post(url("feedback", held), {"score": "4", "comment": "很实用"})
    client.post(url("feedback", held), {"score": "5", "comment": "很实用！"})

    feedback = Feedback.objects.get()
    assert (feedback.session_id, feedback.training_class, feedback.score) == (
        held.pk,
        None,
        5,
    )
    assert feedback.comment == "很实用！"


@pytest.mark.django_db
def test_a_rating_cannot_be_changed_after_seven_days(held, trainee):
    ratings.give_feedback(held, trainee=trainee, score=3)
    Feedback.objects.update(created_at=timezone.now() - timedelta(days=8))

    response = client_for(trainee).post(url("feedback", held), {"score": "1"})

    assert response.status_code == 302
    assert Feedback.objects.get().score == 3


@pytest.mark.django_db
def test_only_attendees_rate(held, other_trainee):
    client = client_for(other_trainee)
    page = client.get(url("feedback", held))
    assert "只有出勤" in page.content.decode()
    client.post(url("feedback", held), {"score": "1"})
    assert not Feedback.objects.exists()
    with pytest.raises(ValidationError):
        ratings.give_feedback(held, trainee=other_trainee, score=1)


@pytest.mark.django_db
def test_a_session_is_rated_only_once_it_has_ended(held, trainee):
    move(held, starts_in=-timedelta(minutes=30))
    client_for(trainee).post(url("feedback", held), {"score": "5"})
    assert not Feedback.objects.exists()


@pytest.mark.django_db
def test_a_resident_without_a_booking_gets_404(held, manager, space_staff):
    from tests.factories import UserFactory

    stranger = UserFactory(real_name="陌生人")
    assert client_for(stranger).get(url("feedback", held)).status_code == 404
    assert (
        client_for(stranger).post(url("feedback", held), {"score": "5"}).status_code
        == 404
    )
    assert not Feedback.objects.exists()


@pytest.mark.django_db
def test_the_summary_shows_figures_and_comments_without_names(
    held, trainee, manager, space_staff, other_trainee
):
    ratings.give_feedback(held, trainee=trainee, score=5, comment="老师讲得清楚")

    page = client_for(manager).get(url("feedback_summary", held))
    text = page.content.decode()
    assert page.status_code == 200
    assert "老师讲得清楚" in text
    assert "100.0%" in text and "5.00" in text
    assert trainee.real_name not in text
    assert trainee.masked_phone not in text and trainee.phone not in text
    assert client_for(space_staff).get(url("feedback_summary", held)).status_code == 200
    assert client_for(trainee).get(url("feedback_summary", held)).status_code == 404
    assert (
        client_for(other_trainee).get(url("feedback_summary", held)).status_code == 404
    )


@pytest.mark.django_db
def test_the_schools_report_keeps_to_class_ratings(held, trainee):
    ratings.give_feedback(held, trainee=trainee, score=1)
    report = ratings.satisfaction_report()
    assert report.overall.count == 0


@pytest.mark.django_db
def test_a_rating_names_a_session_or_a_class(trainee):
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(trainee=trainee, score=3)


@pytest.mark.django_db(transaction=True)
def test_eight_submits_at_once_leave_one_row(held, trainee):
    outcomes = run_all_concurrently(
        [
            lambda score=score: ratings.give_feedback(
                held, trainee=trainee, score=score
            )
            for score in [1 + n % 5 for n in range(CROWD)]
        ]
    )

    assert all(isinstance(o, Feedback) for o in outcomes), outcomes
    assert Feedback.objects.filter(session_id=held.pk).count() == 1
    assert len({o.pk for o in outcomes}) == 1
    assert Feedback.objects.get().score in range(1, 6)
