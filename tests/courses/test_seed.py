"""seed_demo's courses: both catalogues, 70 classes, the demo trainee's learning,
and a second run that changes nothing."""

import itertools
from datetime import date

from django.core.management import call_command
from django.utils import timezone

import pytest

from courses.demo import class_plans
from courses.demo.loader import demo_courses
from courses.models import (
    ClassLevel,
    CourseIndexPage,
    CoursePage,
    Enrollment,
    EnrollmentEvent,
    LessonPage,
    LessonProgress,
    QuizAttempt,
    Tier,
    TrainingClass,
)
from school.models import Level, SchoolPage, User

pytestmark = pytest.mark.django_db

DEMO_TRAINEE = "13800000004"
DEMO_INSTRUCTOR = "13800000002"


def _snapshot() -> dict:
    from wagtail.models import Page, Revision

    return {
        "pages": sorted(Page.objects.values_list("url_path", flat=True)),
        "revisions": Revision.objects.count(),
        "classes": sorted(
            TrainingClass.objects.values_list(
                "course__slug",
                "number",
                "level",
                "capacity",
                "seats_taken",
                "starts_on",
                "enrol_opens_at",
                "requires_approval",
                "practice_site_id",
            )
        ),
        "enrollments": sorted(
            Enrollment.objects.values_list(
                "training_class_id", "trainee__phone", "status", "created_at"
            )
        ),
        "events": EnrollmentEvent.objects.count(),
        "progress": LessonProgress.objects.count(),
        "attempts": QuizAttempt.objects.count(),
    }


def test_seed_demo_builds_both_catalogues_and_a_second_run_changes_nothing():
    call_command("seed_demo", trainees=40)
    first = _snapshot()

    for school in SchoolPage.objects.all():
        index = CourseIndexPage.objects.child_of(school).get(slug="courses")
        assert index.live and index.live_revision_id
        assert CoursePage.objects.child_of(index).count() >= 6
    courses = list(CoursePage.objects.live())
    assert len(courses) >= 12
    assert {course.tier for course in courses} == set(Tier.values)
    assert any(course.is_featured for course in courses)
    assert all(course.live_revision_id for course in courses)
    for course in courses:
        lessons = list(LessonPage.objects.live().child_of(course).order_by("path"))
        assert 2 <= len(lessons) <= 4, course.title
        quiz = lessons[-1].quiz
        assert quiz is not None and len(quiz["questions"]) >= 3, course.title
        assert {q["multiple"] for q in quiz["questions"]} == {True, False}
        if course.tier == Tier.LEADERSHIP:
            assert course.minimum_level == Level.TALENT
            assert Tier.BASIC in {p.tier for p in course.prerequisites.all()}

    classes = TrainingClass.objects.all()
    assert classes.count() == 70
    assert {c.level for c in classes} == set(ClassLevel.values)
    today = timezone.localdate()
    assert classes.filter(ends_on__lt=today).exists()
    assert classes.open_for_enrolment().exists()
    assert classes.filter(enrol_opens_at__gt=timezone.now()).exists()
    assert classes.filter(requires_approval=True).exists()
    assert classes.filter(practice_site__isnull=False).exists()
    instructor = User.objects.get(phone=DEMO_INSTRUCTOR)
    assert all(list(c.instructors.all()) == [instructor] for c in classes)

    mine = Enrollment.objects.filter(trainee__phone=DEMO_TRAINEE)
    assert 2 <= mine.count() <= 3
    assert mine.filter(status=Enrollment.Status.COMPLETED).count() == 1
    assert LessonProgress.objects.filter(
        enrollment__in=mine.filter(status=Enrollment.Status.ACTIVE)
    ).exists()
    assert Enrollment.objects.filter(
        trainee__phone__startswith="139", status=Enrollment.Status.COMPLETED
    ).exists()

    call_command("seed_demo", trainees=40)
    assert _snapshot() == first


def test_each_course_has_past_and_current_classes_numbered_in_date_order():
    today = date(2026, 3, 2)
    courses = demo_courses()
    plans = {spec.slug: class_plans(spec, today) for spec in courses}
    assert sum(len(p) for p in plans.values()) == 70
    for spec in courses:
        runs = plans[spec.slug]
        assert [run.number for run in runs] == list(range(1, spec.classes + 1))
        assert all(a.starts_on < b.starts_on for a, b in itertools.pairwise(runs))
        assert all(run.enrol_opens_at < run.enrol_closes_at for run in runs)
        assert runs[0].ends_on < today  # the course has run before
    latest = [runs[-1] for runs in plans.values()]
    assert any(run.starts_on <= today <= run.ends_on for run in latest)  # under way
    assert any(run.starts_on > today for run in latest)  # still to come


def _sessions_snapshot() -> dict:
    from courses.models import BookableSession, Booking, BookingEvent, SeatQuota

    return {
        "sessions": sorted(
            BookableSession.objects.values_list(
                "pk",
                "starts_at",
                "seats",
                "confirmed_count",
                "open_seats_taken",
                "reserved_seats",
                "waitlist_issued",
            )
        ),
        "bookings": sorted(
            Booking.objects.values_list(
                "session_id", "trainee_id", "status", "queue_number", "quota_id"
            )
        ),
        "events": BookingEvent.objects.count(),
        "quotas": sorted(SeatQuota.objects.values_list("session_id", "seats", "taken")),
    }


def test_seed_demo_books_sessions_at_every_site_through_the_engine_once():
    from courses.models import Booking, BookingEvent, ClassSession, SeatQuota
    from school.models import PracticeSite

    call_command("seed_demo", trainees=40)
    first = _sessions_snapshot()

    sessions = ClassSession.objects.select_related("practice_site")
    now = timezone.now()
    assert set(sessions.values_list("practice_site", flat=True)) >= set(
        PracticeSite.objects.values_list("pk", flat=True)
    )  # all 21 sites
    assert PracticeSite.objects.count() == 21
    online = sessions.filter(practice_site__isnull=True)
    assert online.exists()
    assert all(s.meeting_url.startswith("https://") for s in online)
    past = sessions.filter(ends_at__lt=now)
    assert past.exists() and sessions.filter(starts_at__gt=now).exists()
    for session in past:
        assert session.booking_closes_at <= session.starts_at
        bookings = Booking.objects.filter(session=session)
        assert bookings.exists()
        assert all(b.created_at < session.booking_closes_at for b in bookings)
        assert not BookingEvent.objects.filter(
            booking__session=session, created_at__gte=session.starts_at
        ).exists()
    series = sessions.exclude(series=None).order_by("starts_at")
    assert series.count() >= 2
    assert len(set(series.values_list("series", flat=True))) == 1
    starts = [timezone.localtime(s.starts_at) for s in series]
    assert {(b - a).days for a, b in itertools.pairwise(starts)} == {7}
    assert {t.time() for t in starts} == {starts[0].time()}

    full = [
        s
        for s in sessions
        if s.confirmed_count == s.seats
        and Booking.objects.waitlisted().filter(session=s).exists()
    ]
    assert len(full) >= 4
    quotas = SeatQuota.objects.all()
    assert quotas.exists() and quotas.filter(taken__gt=0).exists()
    for session in sessions:
        bookings = Booking.objects.filter(session=session)
        confirmed = bookings.filter(status=Booking.Status.CONFIRMED)
        assert session.confirmed_count == confirmed.count() <= session.seats
        waiting = bookings.filter(status=Booking.Status.WAITLISTED)
        assert sorted(waiting.values_list("queue_number", flat=True)) == list(
            range(1, session.waitlist_issued + 1)
        )
        assert all(
            member.trainee.org_unit.path.startswith(member.quota.org_unit.path)
            for member in confirmed.exclude(quota=None).select_related(
                "trainee__org_unit", "quota__org_unit"
            )
        )
    # Every booking was made by its trainee through the engine, which wrote its
    # event; nobody of the demo is e-mailed about them. (The volunteers app seeds
    # community activities' sign-ups beside them, tested there.)
    bookings = Booking.objects.filter(session__classsession__isnull=False)
    assert bookings.count() >= 60
    assert (
        BookingEvent.objects.filter(
            booking__in=bookings,
            kind__in=[BookingEvent.Kind.BOOKED, BookingEvent.Kind.WAITLISTED],
        ).count()
        == bookings.count()
    )
    assert not BookingEvent.objects.filter(notified_at=None).exists()
    assert all(
        Enrollment.objects.filter(
            training_class=b.session.classsession.training_class,
            trainee=b.trainee,
            status__in=Enrollment.SEAT_STATUSES,
        ).exists()
        for b in bookings.select_related("session__classsession")
    )
    mine = Booking.objects.filter(trainee__phone=DEMO_TRAINEE)
    assert set(mine.values_list("status", flat=True)) == {
        Booking.Status.CONFIRMED,
        Booking.Status.WAITLISTED,
    }

    call_command("seed_demo", trainees=40)
    assert _sessions_snapshot() == first
