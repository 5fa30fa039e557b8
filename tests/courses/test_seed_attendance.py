"""seed_demo's attendance and feedback (courses.demo.attendance): the past
sessions' bookings get realistic marks with their history and credit, those who
came rate the session and the ended class, and a second run adds nothing. Built
on a small hand-made class rather than the whole demo, to stay cheap."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

import pytest

from courses.demo.attendance import DEMO_TRAINEE, seed_attendance
from courses.models import (
    AttendanceChange,
    AttendanceRecord,
    Booking,
    Enrollment,
    Feedback,
)
from school import roles
from tests.courses.factories import ClassSessionFactory, TrainingClassFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = AttendanceRecord.Status
PEOPLE = 40


@pytest.fixture
def past_class(course, grid_school, practice_site):
    """A class that ended last week: 40 trainees (the demo trainee among them)
    booked both of its sessions; a session of another class is still to come."""
    today = timezone.localdate()
    training_class = TrainingClassFactory(
        course=course,
        starts_on=today - timedelta(days=30),
        ends_on=today - timedelta(days=7),
        practice_site=practice_site,
    )
    people = [UserFactory(phone=DEMO_TRAINEE, role=roles.TRAINEE)] + [
        UserFactory(role=roles.TRAINEE) for _ in range(PEOPLE - 1)
    ]
    Enrollment.objects.bulk_create(
        Enrollment(
            training_class=training_class,
            trainee=person,
            status=Enrollment.Status.ACTIVE,
        )
        for person in people
    )
    coming = ClassSessionFactory(
        training_class=TrainingClassFactory(course=course), seats=PEOPLE
    )
    past = [
        ClassSessionFactory(
            training_class=training_class,
            practice_site=practice_site,
            starts_at=timezone.now() - timedelta(days=days_ago),
            seats=PEOPLE,
        )
        for days_ago in (28, 14)
    ]
    Booking.objects.bulk_create(
        Booking(
            session=session,
            trainee=person,
            status=Booking.Status.CONFIRMED,
            confirmed_at=timezone.now() - timedelta(days=40),
        )
        for session in [*past, coming]
        for person in people
    )
    return training_class


def test_past_sessions_get_realistic_marks_history_and_ratings_once(
    past_class, instructor
):
    marks, rated = seed_attendance(marker=instructor)

    records = list(AttendanceRecord.objects.select_related("trainee"))
    assert marks == len(records) == 2 * PEOPLE
    shares = Counter(record.status for record in records)
    assert shares[Status.PRESENT] >= 0.7 * marks
    assert all(shares[status] for status in Status.values)
    for record in records:
        expected = {"present": "1", "late": "0.5", "excused": "0", "absent": "0"}
        assert record.credit == Decimal(expected[record.status])
        assert record.enrollment.training_class_id == past_class.pk
    assert AttendanceChange.objects.count() == marks
    assert {(c.from_status, c.actor_id) for c in AttendanceChange.objects.all()} == {
        ("", instructor.pk)
    }

    feedback = list(Feedback.objects.select_related("trainee"))
    assert rated == len(feedback) > 0
    came = {(r.session_id, r.trainee_id) for r in records if r.status in _came()}
    for given in feedback:
        assert given.trainee.phone != DEMO_TRAINEE
        if given.session_id:
            assert (given.session_id, given.trainee_id) in came
    assert any(given.session_id is None for given in feedback)
    scores = Counter(given.score for given in feedback)
    assert scores[4] + scores[5] >= 0.75 * len(feedback)
    assert any(given.comment for given in feedback)

    assert seed_attendance(marker=instructor) == (0, 0)
    assert AttendanceRecord.objects.count() == marks
    assert Feedback.objects.count() == rated


def test_the_demo_trainee_comes_and_is_left_something_to_rate(past_class, instructor):
    from courses.feedback import feedback_due
    from school.models import User

    seed_attendance(marker=instructor)
    demo = User.objects.get(phone=DEMO_TRAINEE)

    assert set(
        AttendanceRecord.objects.filter(trainee=demo).values_list("status", flat=True)
    ) == {Status.PRESENT}
    assert not Feedback.objects.filter(trainee=demo).exists()
    assert any(item.kind == "class" for item in feedback_due(demo))


def _came():
    return (Status.PRESENT, Status.LATE)
