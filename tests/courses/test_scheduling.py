"""Scheduling class sessions: weekly series, the site-capacity and instructor
rules, all-or-nothing creation, and edits that never write the counters."""

import zoneinfo
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest

from courses import booking, scheduling, sessions
from courses.models import (
    BookableSession,
    Booking,
    BookingEvent,
    ClassSession,
    Enrollment,
)
from school import roles
from tests.concurrency import run_all_concurrently
from tests.courses.factories import ClassSessionFactory
from tests.factories import PracticeSiteFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def enrolled(training_class, **kwargs):
    person = UserFactory(**kwargs)
    Enrollment.objects.create(
        training_class=training_class, trainee=person, status=Enrollment.Status.ACTIVE
    )
    return person


def next_tuesday_at(hour: int) -> datetime:
    today = timezone.localdate()
    days = (1 - today.weekday()) % 7 or 7
    day = today + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)


def at(session: ClassSession, hours: float = 0) -> datetime:
    return session.starts_at + timedelta(hours=hours)


# series_starts ------------------------------------------------------------------


def test_a_six_week_series_starts_every_tuesday_at_19_local_time():
    first = next_tuesday_at(19)

    starts = scheduling.series_starts(first, weeks=6)

    assert len(starts) == 6
    local = [timezone.localtime(start, SHANGHAI) for start in starts]
    assert {(moment.weekday(), moment.hour, moment.minute) for moment in local} == {
        (1, 19, 0)
    }
    assert [b - a for a, b in zip(starts, starts[1:], strict=False)] == [
        timedelta(days=7)
    ] * 5


def test_a_series_keeps_its_local_time_across_a_daylight_saving_change():
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    first = datetime(2026, 3, 17, 19, 0, tzinfo=berlin)  # DST begins 29 March

    starts = scheduling.series_starts(first, count=3, every_days=7)

    assert [start.astimezone(berlin).hour for start in starts] == [19, 19, 19]
    assert starts[2] - starts[1] == timedelta(days=7)
    assert starts[2].utcoffset() != starts[0].utcoffset()


def test_weeks_count_the_occurrences_that_start_within_them():
    first = next_tuesday_at(9)
    assert len(scheduling.series_starts(first, weeks=6, every_days=14)) == 3
    assert len(scheduling.series_starts(first, count=4, every_days=1)) == 4


def test_a_series_needs_an_aware_start_and_exactly_one_length():
    with pytest.raises(ValueError, match="timezone-aware"):
        scheduling.series_starts(datetime(2026, 12, 8, 19), count=2)
    with pytest.raises(ValueError, match="exactly one"):
        scheduling.series_starts(next_tuesday_at(19), count=2, weeks=2)
    with pytest.raises(ValueError, match="exactly one"):
        scheduling.series_starts(next_tuesday_at(19))


# create_sessions ----------------------------------------------------------------


def test_creating_a_weekly_series_makes_six_sessions_of_one_series(
    training_class, practice_site, instructor, school_admin
):
    first = next_tuesday_at(19)

    created = scheduling.create_sessions(
        training_class,
        starts_at=first,
        ends_at=first + timedelta(hours=2),
        practice_site=practice_site,
        instructors=[instructor],
        title="入户走访实操",
        repeat=6,
        actor=school_admin,
    )

    assert len(created) == 6
    assert ClassSession.objects.count() == 6
    assert len({session.series for session in created}) == 1
    assert created[0].series is not None
    for number, session in enumerate(created):
        session.refresh_from_db()
        local = timezone.localtime(session.starts_at, SHANGHAI)
        assert (local.weekday(), local.hour) == (1, 19)
        assert session.starts_at == first + timedelta(weeks=number)
        assert session.ends_at - session.starts_at == timedelta(hours=2)
        # Seats default to the site's capacity, the cut-off to a day before.
        assert session.seats == practice_site.capacity
        assert session.booking_closes_at == session.starts_at - timedelta(hours=24)
        assert list(session.instructors.all()) == [instructor]


def test_a_single_session_has_no_series_and_keeps_its_own_cutoff(
    training_class, practice_site, school_admin
):
    first = next_tuesday_at(9)
    closes = first - timedelta(hours=3)

    [session] = scheduling.create_sessions(
        training_class,
        starts_at=first,
        ends_at=first + timedelta(hours=1),
        practice_site=practice_site,
        seats=12,
        booking_closes_at=closes,
        quota_release_at=closes - timedelta(hours=1),
        actor=school_admin,
    )

    assert session.series is None
    assert (session.seats, session.booking_closes_at) == (12, closes)
    assert session.quota_release_at == closes - timedelta(hours=1)


def test_a_series_over_the_sites_capacity_creates_nothing_and_names_the_session(
    class_session, training_class, practice_site, school_admin
):
    # class_session: 20 of the site's 30 seats, three days from now 19:00-21:00.
    first = class_session.starts_at - timedelta(days=7, hours=1)

    with pytest.raises(scheduling.SessionConflictError) as refused:
        scheduling.create_sessions(
            training_class,
            starts_at=first,
            ends_at=first + timedelta(hours=2),
            practice_site=practice_site,
            seats=15,
            repeat=3,
            actor=school_admin,
        )

    [conflict] = refused.value.conflicts
    assert conflict.kind == "site"
    assert conflict.session == class_session
    assert conflict.starts_at == first + timedelta(days=7)
    message = refused.value.messages[0]
    assert str(class_session.training_class) in message
    assert "超过教学点容量（30 人）" in message
    assert ClassSession.objects.count() == 1


def test_sessions_that_fit_the_site_together_are_no_conflict(
    class_session, training_class, practice_site, school_admin
):
    created = scheduling.create_sessions(
        training_class,
        starts_at=at(class_session, 1),
        ends_at=at(class_session, 3),
        practice_site=practice_site,
        seats=10,
        actor=school_admin,
    )

    assert len(created) == 1
    assert ClassSession.objects.count() == 2


def test_the_site_rule_counts_only_sessions_running_at_the_same_moment(
    training_class, practice_site, community
):
    # 19-20 and 20-21 with 20 seats each never run together: a 19-21 session of
    # 10 seats fits beside either (30), one of 15 does not.
    early = ClassSessionFactory(
        training_class=training_class, practice_site=practice_site, seats=20
    )
    late = ClassSessionFactory(
        training_class=training_class,
        practice_site=practice_site,
        seats=20,
        starts_at=at(early, 1),
        ends_at=at(early, 2),
        booking_closes_at=at(early, -24),
    )
    ClassSession.objects.filter(pk=early.pk).update(ends_at=at(early, 1))

    assert scheduling.site_conflicts(practice_site, at(early), at(early, 2), 10) == []
    assert scheduling.site_conflicts(practice_site, at(early), at(early, 2), 15) == [
        early,
        late,
    ]
    # Touching end to start is no overlap; another site is another room.
    assert scheduling.site_conflicts(practice_site, at(late, 1), at(late, 3), 30) == []
    assert (
        scheduling.site_conflicts(
            PracticeSiteFactory(capacity=30, org_unit=community),
            at(early),
            at(early, 2),
            30,
        )
        == []
    )


def test_an_instructor_cannot_teach_two_overlapping_sessions(
    class_session, training_class, instructor, school_admin
):
    with pytest.raises(scheduling.SessionConflictError) as refused:
        scheduling.create_sessions(
            training_class,
            starts_at=at(class_session, 1),
            ends_at=at(class_session, 2),
            meeting_url="https://meeting.example.cn/9",
            seats=50,
            instructors=[instructor],
            actor=school_admin,
        )

    [conflict] = refused.value.conflicts
    assert (conflict.kind, conflict.session) == ("instructor", class_session)
    assert conflict.instructors == (instructor,)
    assert "李讲师" in refused.value.messages[0]
    assert ClassSession.objects.count() == 1

    other = UserFactory(real_name="周讲师", role=roles.INSTRUCTOR)
    scheduling.create_sessions(
        training_class,
        starts_at=at(class_session, 1),
        ends_at=at(class_session, 2),
        meeting_url="https://meeting.example.cn/9",
        seats=50,
        instructors=[other],
        actor=school_admin,
    )
    assert ClassSession.objects.count() == 2


def test_cancelled_sessions_take_no_room_and_no_time(
    class_session, training_class, practice_site, instructor, school_admin
):
    booking.cancel_session(class_session, actor=school_admin, reason="场地维修")

    scheduling.create_sessions(
        training_class,
        starts_at=class_session.starts_at,
        ends_at=class_session.ends_at,
        practice_site=practice_site,
        instructors=[instructor],
        actor=school_admin,
    )

    assert ClassSession.objects.not_cancelled().count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"seats": 31}, "seats", "不能超过教学点"),
        ({"seats": 0}, "seats", "至少为 1"),
        ({"ends_in": -1}, "ends_at", "晚于开始时间"),
        ({"closes_in": 1}, "booking_closes_at", "不能晚于开始时间"),
        ({"online": True, "url": ""}, "meeting_url", "会议链接"),
        (
            {"online": True, "url": "https://m.example.cn/1", "seats": None},
            "seats",
            "线上",
        ),
    ],
)
def test_refused_plans_name_the_field_and_create_nothing(
    training_class, practice_site, school_admin, changes, field, text
):
    first = next_tuesday_at(19)
    kwargs = {
        "starts_at": first,
        "ends_at": first + timedelta(hours=changes.get("ends_in", 2)),
        "practice_site": None if changes.get("online") else practice_site,
        "meeting_url": changes.get("url", ""),
        "seats": changes.get("seats", 10),
    }
    if "closes_in" in changes:
        kwargs["booking_closes_at"] = first + timedelta(hours=changes["closes_in"])

    with pytest.raises(ValidationError) as refused:
        scheduling.create_sessions(training_class, actor=school_admin, **kwargs)

    assert text in " ".join(refused.value.message_dict[field])
    assert not ClassSession.objects.exists()


def test_a_series_longer_than_its_interval_is_refused(
    training_class, practice_site, school_admin
):
    first = next_tuesday_at(19)
    with pytest.raises(ValidationError) as refused:
        scheduling.create_sessions(
            training_class,
            starts_at=first,
            ends_at=first + timedelta(days=8),
            practice_site=practice_site,
            repeat=2,
            actor=school_admin,
        )
    assert "repeat" in refused.value.message_dict
    assert not ClassSession.objects.exists()


# update_session -----------------------------------------------------------------


def edit(session, actor, **changes):
    values = {
        "training_class": session.training_class,
        "title": session.title,
        "practice_site": session.practice_site,
        "meeting_url": session.meeting_url,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "booking_closes_at": session.booking_closes_at,
        "seats": session.seats,
        "quota_release_at": session.quota_release_at,
        "notes": session.notes,
        "instructors": list(session.instructors.all()),
    }
    values.update(changes)
    return scheduling.update_session(session, actor=actor, **values)


def test_an_edit_keeps_a_booking_made_after_the_form_was_loaded(
    class_session, training_class, school_admin
):
    loaded = ClassSession.objects.get(pk=class_session.pk)
    person = enrolled(training_class)
    sessions.book_session(class_session, trainee=person, actor=person)

    update = edit(loaded, school_admin, title="新主题", notes="带上笔记本")

    class_session.refresh_from_db()
    assert (class_session.title, class_session.notes) == ("新主题", "带上笔记本")
    assert class_session.confirmed_count == 1
    assert class_session.open_seats_taken == 1
    assert set(update.changed) == {"title", "notes"}
    assert update.rescheduled is None


def test_an_edit_changes_seats_through_the_engine_and_refuses_fewer_than_booked(
    class_session, training_class, school_admin
):
    loaded = ClassSession.objects.get(pk=class_session.pk)
    for _ in range(2):
        person = enrolled(training_class)
        sessions.book_session(class_session, trainee=person, actor=person)

    with pytest.raises(ValidationError) as refused:
        edit(loaded, school_admin, seats=1, title="不会保存")
    assert "已有 2 人预约成功" in refused.value.message_dict["seats"][0]
    class_session.refresh_from_db()
    assert (class_session.seats, class_session.title) == (20, "")

    edit(loaded, school_admin, seats=2)
    class_session.refresh_from_db()
    assert (class_session.seats, class_session.confirmed_count) == (2, 2)


def test_moving_a_session_tells_the_booked_and_bumps_the_sequence(
    class_session, training_class, school_admin
):
    person = enrolled(training_class)
    made = sessions.book_session(class_session, trainee=person, actor=person)
    loaded = ClassSession.objects.get(pk=class_session.pk)

    update = edit(
        loaded,
        school_admin,
        starts_at=at(class_session, 1),
        ends_at=at(class_session, 3),
    )

    assert update.rescheduled == 1
    class_session.refresh_from_db()
    assert class_session.sequence == 1
    assert class_session.confirmed_count == 1
    assert made.events.filter(kind=BookingEvent.Kind.RESCHEDULED).count() == 1


def test_an_edit_is_checked_against_the_timetable_without_itself(
    class_session, training_class, practice_site, school_admin
):
    # Its own 20 seats do not count against it.
    edit(class_session, school_admin, seats=30)
    other = ClassSessionFactory(
        training_class=training_class,
        practice_site=practice_site,
        seats=5,
        starts_at=at(class_session, -5),
        ends_at=at(class_session, -4),
        booking_closes_at=at(class_session, -30),
    )

    with pytest.raises(scheduling.SessionConflictError) as refused:
        edit(
            other,
            school_admin,
            starts_at=at(class_session),
            ends_at=at(class_session, 1),
        )

    assert [c.session for c in refused.value.conflicts] == [class_session]
    other.refresh_from_db()
    assert other.starts_at == at(class_session, -5)


def test_a_cancelled_session_cannot_be_edited(class_session, school_admin):
    booking.cancel_session(class_session, actor=school_admin, reason="暴雨")
    with pytest.raises(ValidationError, match="已取消"):
        edit(class_session, school_admin, title="x")


def test_a_booked_session_keeps_its_class(
    class_session, training_class, course, school_admin
):
    from tests.courses.factories import TrainingClassFactory

    person = enrolled(training_class)
    sessions.book_session(class_session, trainee=person, actor=person)

    with pytest.raises(ValidationError) as refused:
        edit(
            class_session,
            school_admin,
            training_class=TrainingClassFactory(course=course),
        )

    assert "training_class" in refused.value.message_dict
    assert BookableSession.objects.get(pk=class_session.pk).confirmed_count == 1
    assert Booking.objects.live().count() == 1


# Races ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_of_two_overlapping_sessions_saved_at_once_only_one_fits_the_site(
    training_class, practice_site, school_admin
):
    first = next_tuesday_at(19)

    def schedule():
        return scheduling.create_sessions(
            training_class,
            starts_at=first,
            ends_at=first + timedelta(hours=2),
            practice_site=practice_site,
            seats=20,
            repeat=2,
            actor=school_admin,
        )

    outcomes = run_all_concurrently([schedule, schedule])

    assert sorted(type(o).__name__ for o in outcomes) == [
        "SessionConflictError",
        "list",
    ]
    assert ClassSession.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_instructor_scheduled_twice_at_once_at_two_sites_gets_one_session(
    training_class, practice_site, community, instructor, school_admin
):
    first = next_tuesday_at(19)
    sites = [practice_site, PracticeSiteFactory(org_unit=community)]

    def schedule_at(site):
        return lambda: scheduling.create_sessions(
            training_class,
            starts_at=first,
            ends_at=first + timedelta(hours=2),
            practice_site=site,
            instructors=[instructor],
            actor=school_admin,
        )

    outcomes = run_all_concurrently([schedule_at(site) for site in sites])

    assert sorted(type(o).__name__ for o in outcomes) == [
        "SessionConflictError",
        "list",
    ]
    assert ClassSession.objects.filter(instructors=instructor).count() == 1
