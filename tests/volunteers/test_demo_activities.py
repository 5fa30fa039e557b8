"""seed_demo's community activities: spaces with evening hours, night schools,
workshops and talks over four months and the next four weeks, made through the
activity services, with attendance on the held sessions and the organisers
credited; the utilisation report shows busier evenings; a second run adds
nothing."""

from django.utils import timezone

import pytest

from courses.models import (
    AttendanceChange,
    AttendanceRecord,
    Booking,
    BookingEvent,
)
from courses.reports.figures import ATTENDED
from school import demo as school_demo
from school.models import Level
from volunteers import demo_activities, utilisation
from volunteers.activities import split_minutes
from volunteers.models import (
    Activity,
    ActivityEvent,
    ActivitySession,
    CommunitySpace,
    OpeningHours,
    ServiceRecord,
)

pytestmark = pytest.mark.django_db

MODELS = [
    CommunitySpace,
    OpeningHours,
    Activity,
    ActivityEvent,
    ActivitySession,
    Booking,
    BookingEvent,
    AttendanceRecord,
    AttendanceChange,
    ServiceRecord,
]


@pytest.fixture
def seeded(db):
    """The school's demo (org tree, accounts, 120 trainees, some of them
    managers) and the activities on top; the seeder's summary."""
    school_demo.seed_org_tree()
    school_demo.seed_demo_accounts()
    school_demo.seed_trainees(120)
    return demo_activities.seed({})


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_a_second_seed_adds_nothing(seeded):
    first = _counts()
    demo_activities.seed({})
    assert _counts() == first
    assert first["Activity"] == 2 * len(demo_activities.ACTIVITIES)


def spaces_open_into_the_evening_approved_by_the_coordinators(seeded):
    assert "社区活动" in seeded and "未建" not in seeded
    spaces = CommunitySpace.objects.all()
    assert {space.name for space in spaces} == {"活动室", "会议室", "共享厨房", "书屋"}
    assert spaces.values("community").distinct().count() == 3
    for space in spaces:
        assert {p.phone for p in space.staff.all()} == set(demo_activities.STAFF_PHONES)
        assert max(h.closes for h in space.opening_hours.all()).hour >= 20


def every_activity_is_approved_and_run_by_a_manager(seeded):
    for activity in Activity.objects.select_related("organiser", "decided_by"):
        assert activity.status == Activity.Status.APPROVED
        assert activity.organiser.level == Level.MANAGER
        assert activity.decided_by.phone in demo_activities.STAFF_PHONES
        assert activity.proposed_at < activity.sessions.first().starts_at


def history_and_coming_sessions_are_where_the_services_put_them(seeded):
    now = timezone.now()
    sessions = ActivitySession.objects.all()
    assert sessions.filter(starts_at__lt=now - timezone.timedelta(days=100)).exists()
    assert sessions.filter(starts_at__gt=now).exists()
    # Nothing was left a year ahead by the trick that built the history.
    assert not sessions.filter(starts_at__gt=now + timezone.timedelta(weeks=5)).exists()
    for session in sessions:
        assert (session.day_minutes, session.evening_minutes) == split_minutes(
            session.starts_at, session.ends_at
        )
        assert session.confirmed_count == session.bookings.confirmed().count()
        assert session.confirmed_count <= session.seats
        for booking in session.bookings.all():
            assert booking.created_at < session.starts_at
    assert not BookingEvent.objects.filter(notified_at__isnull=True).exists()


def most_of_those_signed_up_came_to_the_held_sessions(seeded):
    now = timezone.now()
    past = Booking.objects.confirmed().filter(session__ends_at__lt=now)
    records = AttendanceRecord.objects.filter(session__ends_at__lt=now)
    assert records.count() == past.count() > 0
    came = records.filter(status__in=ATTENDED).count()
    assert 0.7 <= came / records.count() <= 0.9
    assert AttendanceChange.objects.count() == records.count()
    assert not AttendanceRecord.objects.filter(session__starts_at__gt=now).exists()


def the_organisers_are_credited_once_per_held_session(seeded):
    held = ActivitySession.objects.filter(
        ends_at__lt=timezone.now(), attendance__status__in=ATTENDED
    ).distinct()
    credited = ServiceRecord.objects.filter(
        source_session_id__in=held.values("pk"),
        status=ServiceRecord.Status.APPROVED,
    )
    assert credited.count() == held.count() > 0


def evenings_are_busier_than_days_in_the_report(seeded):
    report = utilisation.space_utilisation()
    total = report.total
    assert total.booked_evening > total.booked_day > 0
    assert total.evening_rate > total.day_rate
    assert total.person_times > 0


def test_the_demo_looks_like_a_term_of_real_use(seeded):
    spaces_open_into_the_evening_approved_by_the_coordinators(seeded)
    every_activity_is_approved_and_run_by_a_manager(seeded)
    history_and_coming_sessions_are_where_the_services_put_them(seeded)
    most_of_those_signed_up_came_to_the_held_sessions(seeded)
    the_organisers_are_credited_once_per_held_session(seeded)
    evenings_are_busier_than_days_in_the_report(seeded)
