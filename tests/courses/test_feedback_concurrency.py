"""A double (or eightfold) submit of the same rating leaves one row: the
database's unique constraints decide, with real threads on file SQLite and on
PostgreSQL."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

import pytest

from courses import feedback as ratings
from courses.models import AttendanceRecord, Booking, Feedback
from tests.concurrency import run_all_concurrently
from tests.courses.factories import ClassSessionFactory, TrainingClassFactory

pytestmark = pytest.mark.django_db(transaction=True)

CROWD = 8


def _attended_session(training_class, trainee, days_ago):
    session = ClassSessionFactory(
        training_class=training_class,
        starts_at=timezone.now() - timedelta(days=days_ago),
    )
    booking = Booking.objects.create(
        session=session,
        trainee=trainee,
        status=Booking.Status.CONFIRMED,
        confirmed_at=timezone.now(),
    )
    AttendanceRecord.objects.create(
        session_id=session.pk,
        booking=booking,
        trainee=trainee,
        status=AttendanceRecord.Status.PRESENT,
        credit=Decimal("1"),
        method=AttendanceRecord.Method.ROSTER,
    )
    return session


def test_concurrent_submits_of_one_session_rating_leave_one_row(
    training_class, trainee
):
    session = _attended_session(training_class, trainee, days_ago=1)

    outcomes = run_all_concurrently(
        [
            lambda score=score: ratings.give_feedback(
                session, trainee=trainee, score=score
            )
            for score in [1 + n % 5 for n in range(CROWD)]
        ]
    )

    assert all(isinstance(o, Feedback) for o in outcomes), outcomes
    assert Feedback.objects.filter(session_id=session.pk).count() == 1
    assert len({o.pk for o in outcomes}) == 1


def test_concurrent_submits_of_one_class_rating_leave_one_row(course, trainee):
    today = timezone.localdate()
    ended = TrainingClassFactory(
        course=course,
        starts_on=today - timedelta(days=30),
        ends_on=today - timedelta(days=3),
    )
    _attended_session(ended, trainee, days_ago=10)

    outcomes = run_all_concurrently(
        [lambda: ratings.give_feedback(ended, trainee=trainee, score=5)] * CROWD
    )

    assert all(isinstance(o, Feedback) for o in outcomes), outcomes
    assert Feedback.objects.filter(session__isnull=True).count() == 1
