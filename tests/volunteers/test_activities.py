"""Community activities: proposing in a space (opening hours, seats, conflicts,
rights), the space staff's decision, signing up through the booking engine with
the activity's audience rule, cancelling, and the service the organiser and the
helpers earn."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest

from courses import booking
from courses.attendance import record_attendance
from courses.models import AttendanceRecord, Booking
from school import roles
from school.models import Level, User
from tests.factories import OrgUnitFactory, UserFactory
from tests.volunteers.conftest import next_weekday_at
from volunteers import activities
from volunteers.models import (
    Activity,
    ActivityEvent,
    CommunitySpace,
    Merchant,
    PointAccount,
    Redemption,
    Reward,
    ServiceRecord,
)

pytestmark = pytest.mark.django_db
Slot = activities.Slot


def wednesday(hour=19, minute=0, *, hours=2, weeks=1) -> Slot:
    start = next_weekday_at(2, hour, minute, weeks=weeks)
    return Slot(start, start + timedelta(hours=hours))


def propose(organiser, space, slots, **extra):
    fields = {
        "title": "剪纸工坊",
        "kind": Activity.Kind.WORKSHOP,
        "description": "非遗剪纸入门。",
        "seats": 10,
    }
    fields.update(extra)
    return activities.propose_activity(
        organiser=organiser, space=space, slots=slots, **fields
    )


def messages(error) -> str:
    return " ".join(error.value.messages)


class TestTimes:
    def test_split_at_six_in_the_evening(self):
        start = timezone.make_aware(datetime(2026, 12, 9, 16, 30))
        assert activities.split_minutes(start, start + timedelta(hours=3)) == (90, 90)
        evening = timezone.make_aware(datetime(2026, 12, 9, 19))
        assert activities.split_minutes(evening, evening + timedelta(hours=2)) == (
            0,
            120,
        )
        morning = timezone.make_aware(datetime(2026, 12, 9, 9))
        assert activities.split_minutes(morning, morning + timedelta(hours=2)) == (
            120,
            0,
        )

    def test_weekly_series_keeps_the_local_time(self):
        first = wednesday()
        slots = activities.weekly_slots(first.starts_at, first.ends_at, 4)
        assert len(slots) == 4
        for week, slot in enumerate(slots):
            assert slot.starts_at == first.starts_at + timedelta(weeks=week)
            assert timezone.localtime(slot.starts_at).time() == time(19)


class TestProposing:
    def test_a_manager_proposes_and_it_waits_for_the_staff(self, night_school):
        assert night_school.status == Activity.Status.PENDING
        session = night_school.sessions.get()
        assert session.seats == 20
        assert session.evening_minutes == 120 and session.day_minutes == 0
        assert session.booking_closes_at == session.starts_at - timedelta(hours=1)
        assert night_school.events.get().kind == ActivityEvent.Kind.PROPOSED

    def test_a_resident_cannot_propose(self, trainee, space):
        with pytest.raises(ValidationError) as error:
            propose(trainee, space, [wednesday()])
        assert "社区主理人才能发起" in messages(error)
        assert not Activity.objects.exists()

    def test_space_staff_and_administrators_propose(
        self, space, space_staff, school_admin
    ):
        assert propose(space_staff, space, [wednesday()]).pk
        assert propose(school_admin, space, [wednesday(weeks=2)]).pk

    def test_outside_the_opening_hours_is_refused(self, manager, space):
        with pytest.raises(ValidationError) as error:
            propose(manager, space, [wednesday(20, 30, hours=2)])
        assert "不在活动室的开放时间内" in messages(error)
        assert "14:00—21:30" in messages(error)

    def test_a_closed_day_is_refused(self, manager, space):
        space.opening_hours.filter(weekday=2).delete()
        with pytest.raises(ValidationError) as error:
            propose(manager, space, [wednesday()])
        assert "周三不开放" in messages(error)

    def test_more_seats_than_the_room_holds_is_refused(self, manager, space):
        with pytest.raises(ValidationError) as error:
            propose(manager, space, [wednesday()], seats=31)
        assert "最多容纳 30 人" in messages(error)

    def test_a_past_or_imminent_session_is_refused(self, manager, space):
        soon = timezone.now() + timedelta(minutes=30)
        with pytest.raises(ValidationError) as error:
            propose(manager, space, [Slot(soon, soon + timedelta(hours=1))])
        assert "小时后开始" in messages(error)

    def test_every_problem_is_named_at_once(self, manager, space):
        with pytest.raises(ValidationError) as error:
            propose(manager, space, [wednesday(20, 30)], seats=99, title="")
        assert len(error.value.messages) == 3

    def test_a_taken_time_is_refused_naming_the_booking(
        self, manager, space, night_session
    ):
        with pytest.raises(ValidationError) as error:
            propose(manager, space, [wednesday(20, 0, hours=1)])
        text = messages(error)
        assert "智能手机夜校" in text and "郑主理" in text and "时间冲突" in text

    def test_a_pending_proposal_holds_no_time(self, manager, space, night_school):
        assert propose(manager, space, [wednesday()]).pk


class TestDeciding:
    def test_the_space_staff_approve(self, night_school, space_staff):
        activities.approve_activity(night_school, actor=space_staff, note="欢迎")
        night_school.refresh_from_db()
        assert night_school.status == Activity.Status.APPROVED
        assert night_school.decided_by == space_staff
        assert night_school.events.last().kind == ActivityEvent.Kind.APPROVED

    @pytest.mark.parametrize("who", ["organiser", "admin", "other_staff", "trainee"])
    def test_only_the_space_staff_approve(
        self, who, night_school, manager, school_admin, trainee, community
    ):
        other_room = CommunitySpace.objects.create(
            community=community, name="书屋", address="桃园路 2 号", capacity=10
        )
        other_staff = UserFactory(real_name="别的干事")
        other_room.staff.add(other_staff)
        actor = {
            "organiser": manager,
            "admin": school_admin,
            "other_staff": other_staff,
            "trainee": trainee,
        }[who]
        with pytest.raises(ValidationError):
            activities.approve_activity(night_school, actor=actor)
        night_school.refresh_from_db()
        assert night_school.status == Activity.Status.PENDING

    def test_staff_never_approve_their_own(self, space, space_staff):
        mine = propose(space_staff, space, [wednesday()])
        with pytest.raises(ValidationError) as error:
            activities.approve_activity(mine, actor=space_staff)
        assert "不能审批自己发起的活动" in messages(error)

    def test_an_activity_cannot_be_approved_into_a_taken_space(
        self, manager, space, space_staff, night_school
    ):
        rival = propose(manager, space, [wednesday(20, 0, hours=1)])
        activities.approve_activity(rival, actor=space_staff)
        with pytest.raises(ValidationError) as error:
            activities.approve_activity(night_school, actor=space_staff)
        assert "剪纸工坊" in messages(error)
        night_school.refresh_from_db()
        assert night_school.status == Activity.Status.PENDING

    def test_a_cancelled_session_frees_its_time(
        self, manager, space, space_staff, night_session
    ):
        activities.cancel_activity_session(
            night_session, actor=manager, reason="场地维修"
        )
        rival = propose(manager, space, [wednesday()])
        activities.approve_activity(rival, actor=space_staff)

    def test_a_second_decision_is_refused(self, night_school, space_staff):
        activities.reject_activity(night_school, actor=space_staff, reason="时间太晚")
        with pytest.raises(ValidationError) as error:
            activities.approve_activity(night_school, actor=space_staff)
        assert "已处理" in messages(error)

    def test_rejection_needs_a_reason(self, night_school, space_staff):
        with pytest.raises(ValidationError):
            activities.reject_activity(night_school, actor=space_staff, reason=" ")

    def test_the_organiser_withdraws_a_pending_proposal(self, night_school, manager):
        activities.withdraw_activity(night_school, actor=manager)
        night_school.refresh_from_db()
        assert night_school.status == Activity.Status.WITHDRAWN


@pytest.fixture
def space_right(manager, community):
    merchant = Merchant.objects.create(name="桃园社区", kind=Merchant.Kind.PARTNER)
    reward = Reward.objects.create(
        merchant=merchant,
        title="活动室使用权（一晚）",
        category=Reward.Category.SPACE_USE,
        points_cost=100,
        stock=5,
        minimum_level=Level.MANAGER,
    )
    return Redemption.objects.create(
        reward=reward,
        person=manager,
        points=100,
        expires_at=timezone.now() + timedelta(days=30),
    )


class TestRights:
    def test_approval_spends_the_right(self, manager, space, space_staff, space_right):
        activity = propose(
            manager,
            space,
            [wednesday()],
            basis=Activity.Basis.RIGHT,
            right=space_right,
        )
        assert list(activities.redemptions.space_rights_of(manager)) == []
        activities.approve_activity(activity, actor=space_staff)
        space_right.refresh_from_db()
        assert space_right.status == Redemption.Status.USED
        assert space_right.used_by == space_staff

    def test_a_rejected_proposal_gives_the_right_back(
        self, manager, space, space_staff, space_right
    ):
        activity = propose(
            manager, space, [wednesday()], basis=Activity.Basis.RIGHT, right=space_right
        )
        activities.reject_activity(activity, actor=space_staff, reason="已满")
        assert list(activities.redemptions.space_rights_of(manager)) == [space_right]

    def test_one_right_for_one_proposal(self, manager, space, space_right):
        propose(
            manager, space, [wednesday()], basis=Activity.Basis.RIGHT, right=space_right
        )
        with pytest.raises(ValidationError) as error:
            propose(
                manager,
                space,
                [wednesday(weeks=2)],
                basis=Activity.Basis.RIGHT,
                right=space_right,
            )
        assert "空间使用权不可用" in messages(error)

    def test_someone_elses_right_is_refused(self, space, space_right, grid):
        other = UserFactory(org_unit=grid)
        User.objects.filter(pk=other.pk).update(level=Level.MANAGER)
        other.refresh_from_db()
        with pytest.raises(ValidationError):
            propose(
                other,
                space,
                [wednesday()],
                basis=Activity.Basis.RIGHT,
                right=space_right,
            )


class TestSigningUp:
    def test_a_resident_signs_up_through_the_engine(self, night_session, trainee):
        made = activities.sign_up(night_session, person=trainee)
        assert made.status == Booking.Status.CONFIRMED
        night_session.refresh_from_db()
        assert night_session.confirmed_count == 1

    def test_a_pending_activity_takes_no_sign_ups(self, night_school, trainee):
        with pytest.raises(ValidationError) as error:
            activities.sign_up(night_school.sessions.get(), person=trainee)
        assert "尚未通过审批" in messages(error)

    def test_a_full_session_offers_the_waitlist_and_promotes(
        self, night_session, trainee, other_trainee
    ):
        booking.change_seats(night_session, seats=1, actor=trainee)
        first = activities.sign_up(night_session, person=trainee)
        second = activities.sign_up(night_session, person=other_trainee)
        assert second.status == Booking.Status.WAITLISTED
        activities.cancel_sign_up(first, person=trainee)
        second.refresh_from_db()
        assert second.status == Booking.Status.CONFIRMED

    def test_a_community_audience(self, manager, space, space_staff, community):
        activity = propose(
            manager,
            space,
            [wednesday()],
            audience=Activity.Audience.COMMUNITY,
            audience_unit=community,
        )
        activities.approve_activity(activity, actor=space_staff)
        session = activity.sessions.get()
        outsider = UserFactory(org_unit=OrgUnitFactory(name="杏林社区"))
        with pytest.raises(ValidationError) as error:
            activities.sign_up(session, person=outsider)
        assert "仅面向桃园社区居民" in messages(error)
        assert activities.sign_up(session, person=manager).pk

    def test_a_level_audience(self, manager, space, space_staff, trainee):
        activity = propose(
            manager,
            space,
            [wednesday()],
            audience=Activity.Audience.LEVEL,
            audience_level=Level.VOLUNTEER,
        )
        activities.approve_activity(activity, actor=space_staff)
        with pytest.raises(ValidationError) as error:
            activities.sign_up(activity.sessions.get(), person=trainee)
        assert "仅面向志愿者及以上" in messages(error)

    def test_nobody_cancels_another_residents_sign_up(
        self, night_session, trainee, other_trainee
    ):
        mine = activities.sign_up(night_session, person=trainee)
        with pytest.raises(ValidationError):
            activities.cancel_sign_up(mine, person=other_trainee)
        mine.refresh_from_db()
        assert mine.status == Booking.Status.CONFIRMED

    def test_after_the_cut_off_the_refusal_names_whom_to_call(
        self, night_session, trainee, manager, space_staff
    ):
        mine = activities.sign_up(night_session, person=trainee)
        type(night_session).objects.filter(pk=night_session.pk).update(
            booking_closes_at=timezone.now() - timedelta(minutes=1)
        )
        with pytest.raises(ValidationError) as error:
            activities.cancel_sign_up(mine, person=trainee)
        assert manager.phone in messages(error) and space_staff.phone in messages(error)

    def test_cancelling_the_activity_cancels_every_sign_up(
        self, night_session, trainee, manager
    ):
        mine = activities.sign_up(night_session, person=trainee)
        activity = night_session.activity
        assert activities.cancel_activity(activity, actor=manager, reason="台风") == 1
        mine.refresh_from_db()
        assert mine.status == Booking.Status.CANCELLED
        with pytest.raises(ValidationError) as error:
            activities.sign_up(night_session, person=trainee)
        assert "已取消" in messages(error)

    def test_a_resident_cannot_cancel_the_activity(self, night_session, trainee):
        with pytest.raises(ValidationError):
            activities.cancel_activity(
                night_session.activity, actor=trainee, reason="不想办了"
            )


def _held(session, trainee, manager):
    activities.sign_up(session, person=trainee)
    type(session).objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(hours=3),
        ends_at=timezone.now() - timedelta(hours=1),
        booking_closes_at=timezone.now() - timedelta(hours=4),
    )
    session.refresh_from_db()
    record_attendance(
        session,
        trainee=trainee,
        status=AttendanceRecord.Status.PRESENT,
        actor=manager,
        method=AttendanceRecord.Method.ROSTER,
        reason="补录",
    )
    return session


class TestService:
    def test_the_organiser_is_credited_once_per_session(
        self, night_session, trainee, manager
    ):
        _held(night_session, trainee, manager)
        assert activities.credit_activity_hours() == 1
        assert activities.credit_activity_hours() == 0
        record = ServiceRecord.objects.get(volunteer=manager)
        assert record.status == ServiceRecord.Status.APPROVED
        assert record.hours == Decimal("2.0")
        assert record.item.name == activities.ORGANISING_ITEM_NAME
        assert PointAccount.objects.get(person=manager).hours == Decimal("2.0")

    def test_a_session_nobody_came_to_earns_nothing(self, night_session, manager):
        type(night_session).objects.filter(pk=night_session.pk).update(
            starts_at=timezone.now() - timedelta(hours=3),
            ends_at=timezone.now() - timedelta(hours=1),
            booking_closes_at=timezone.now() - timedelta(hours=4),
        )
        assert activities.credit_activity_hours() == 0

    def test_helpers_are_recorded_for_a_coordinator_once(
        self, night_session, trainee, other_trainee, manager
    ):
        _held(night_session, trainee, manager)
        outcome = activities.record_helpers(
            night_session, helpers=[other_trainee, manager], hours="2", actor=manager
        )
        assert [r.volunteer for r in outcome.recorded] == [other_trainee]
        assert outcome.skipped[0][0] == manager
        record = outcome.recorded[0]
        assert record.status == ServiceRecord.Status.PENDING
        assert record.logged_by == manager
        again = activities.record_helpers(
            night_session, helpers=[other_trainee], hours="2", actor=manager
        )
        assert again.recorded == [] and "已登记过" in again.skipped[0][1]

    def test_only_the_organiser_or_staff_record_helpers(
        self, night_session, trainee, other_trainee, manager
    ):
        _held(night_session, trainee, manager)
        with pytest.raises(ValidationError):
            activities.record_helpers(
                night_session, helpers=[other_trainee], hours="1", actor=trainee
            )


def test_a_coordinator_role_is_no_approver(night_school, community):
    coordinator = UserFactory(role=roles.COORDINATOR, org_unit=community)
    with pytest.raises(ValidationError):
        activities.approve_activity(night_school, actor=coordinator)


def test_organisers_are_credited_by_an_hourly_job(night_session, trainee, manager):
    from django.utils.module_loading import import_string

    from django_q.models import Schedule

    schedule = Schedule.objects.get(func="volunteers.tasks.credit_activity_hours_task")
    assert schedule.minutes == 60
    _held(night_session, trainee, manager)
    assert import_string(schedule.func)() == 1
