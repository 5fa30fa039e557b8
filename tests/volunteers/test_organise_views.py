"""Proposing and reviewing community activities through the pages: the propose
form (every problem shown, input kept, a weekly series), the refusal page for a
resident, the organiser's withdraw and cancel, and the space staff's review
(only their spaces, a reason to turn down, a conflict named)."""

from datetime import time, timedelta
from itertools import pairwise

from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from courses.models import Booking
from school.models import Level, User
from tests.factories import UserFactory
from tests.volunteers.conftest import next_weekday_at
from volunteers import activities
from volunteers.models import (
    Activity,
    ActivityEvent,
    ActivitySession,
    CommunitySpace,
    Merchant,
    Redemption,
    Reward,
)

pytestmark = pytest.mark.django_db


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def form_data(space, **changes) -> dict:
    day = next_weekday_at(2, 19).date()
    data = {
        "title": "剪纸工坊",
        "kind": Activity.Kind.WORKSHOP,
        "description": "非遗剪纸入门。",
        "space": space.pk,
        "seats": 10,
        "date": day.isoformat(),
        "starts": "19:00",
        "ends": "21:00",
        "weeks": 1,
        "audience": Activity.Audience.EVERYONE,
        "audience_unit": "",
        "audience_level": "",
        "basis": "grant",
    }
    data.update(changes)
    return data


def propose(organiser, space, *, weekday=2, hour=19, title="剪纸工坊", weeks=1):
    start = next_weekday_at(weekday, hour, weeks=weeks)
    return activities.propose_activity(
        organiser=organiser,
        title=title,
        kind=Activity.Kind.WORKSHOP,
        description="非遗剪纸入门。",
        space=space,
        seats=10,
        slots=[activities.Slot(start, start + timedelta(hours=2))],
    )


@pytest.fixture
def other_manager(grid):
    person = UserFactory(real_name="冯主理", org_unit=grid)
    User.objects.filter(pk=person.pk).update(level=Level.MANAGER)
    person.refresh_from_db()
    return person


@pytest.fixture
def other_staff(community):
    """陈干事 staffs another room, not the activity room."""
    person = UserFactory(real_name="陈干事", org_unit=community)
    room = CommunitySpace.objects.create(
        community=community, name="会议室", address="桃园路 1 号三楼", capacity=12
    )
    room.staff.add(person)
    return person


@pytest.fixture
def space_right(manager):
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


# --- proposing -------------------------------------------------------------------------


class TestPropose:
    def test_the_form_lists_spaces_with_capacity_and_hours_and_my_rights(
        self, manager, space, space_right
    ):
        response = client_for(manager).get(reverse("organise:propose"))
        assert response.status_code == 200
        page = response.content.decode()
        assert "桃园社区" in page and "活动室（容纳 30 人）" in page
        assert "14:00—21:30" in page and "周日" in page
        assert "活动室使用权（一晚）" in page and "申请社区工作人员授权" in page
        assert 'name="weeks"' in page and 'value="1"' in page

    def test_a_good_proposal_waits_for_the_staff(self, manager, space):
        client = client_for(manager)
        response = client.post(reverse("organise:propose"), form_data(space))
        activity = Activity.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("organise:activity", args=[activity.pk])
        assert activity.status == Activity.Status.PENDING
        assert activity.organiser == manager and activity.basis == "grant"
        page = client.get(response["Location"]).content.decode()
        assert "等待社区工作人员审批" in page and "剪纸工坊" in page

    def test_a_weekly_series_of_four_weeks_makes_four_sessions(self, manager, space):
        response = client_for(manager).post(
            reverse("organise:propose"), form_data(space, weeks=4)
        )
        assert response.status_code == 302
        starts = [
            timezone.localtime(s.starts_at)
            for s in ActivitySession.objects.order_by("starts_at")
        ]
        assert len(starts) == 4
        assert {s.time() for s in starts} == {time(19)}
        assert [(b - a).days for a, b in pairwise(starts)] == [7, 7, 7]

    def test_on_a_right(self, manager, space, space_right):
        response = client_for(manager).post(
            reverse("organise:propose"),
            form_data(space, basis=f"right-{space_right.pk}"),
        )
        assert response.status_code == 302
        activity = Activity.objects.get()
        assert activity.basis == "right" and activity.right == space_right

    def test_every_problem_is_shown_and_the_input_kept(self, manager, space):
        response = client_for(manager).post(
            reverse("organise:propose"),
            form_data(space, seats=99, starts="22:00", ends="23:00", title="夜读会"),
        )
        assert response.status_code == 400
        page = response.content.decode()
        assert "名额须在 1 到 30 人之间" in page
        assert "不在活动室的开放时间内" in page
        assert 'value="夜读会"' in page and 'value="99"' in page
        assert 'value="22:00"' in page
        assert not Activity.objects.exists()

    def test_a_community_audience_needs_its_community(self, manager, space, community):
        url = reverse("organise:propose")
        client = client_for(manager)
        response = client.post(url, form_data(space, audience="community"))
        assert response.status_code == 400
        assert "请选择活动面向的社区或街道" in response.content.decode()
        response = client.post(
            url, form_data(space, audience="community", audience_unit=community.pk)
        )
        assert response.status_code == 302
        assert Activity.objects.get().audience_unit == community

    def test_a_resident_gets_a_refusal_with_a_way_on(self, trainee, space):
        response = client_for(trainee).get(reverse("organise:propose"))
        assert response.status_code == 403
        page = response.content.decode()
        assert "社区主理人才能发起社区活动" in page
        assert reverse("growth:mine") in page
        response = client_for(trainee).post(
            reverse("organise:propose"), form_data(space)
        )
        assert response.status_code == 403 and not Activity.objects.exists()

    def test_a_visitor_is_sent_to_log_in(self):
        response = client_for().get(reverse("organise:propose"))
        assert response.status_code == 302 and "login" in response["Location"]


# --- my activities ---------------------------------------------------------------------


class TestMine:
    def test_lists_my_activities_with_sessions_and_waitlist(
        self, night_session, manager, trainee, other_trainee
    ):
        ActivitySession.objects.filter(pk=night_session.pk).update(seats=1)
        activities.sign_up(night_session, person=trainee)
        activities.sign_up(night_session, person=other_trainee)
        page = client_for(manager).get(reverse("organise:mine")).content.decode()
        assert "智能手机夜校" in page and "已通过" in page
        assert "已报名 1 / 1 人" in page and "候补 1 人" in page
        assert reverse("organise:cancel", args=[night_session.activity_id]) in page
        for name in ("roster", "scan", "code", "helpers", "feedback_summary"):
            assert reverse(f"activity_checkin:{name}", args=[night_session.pk]) in page

    def test_the_organiser_withdraws_a_pending_one(self, night_school, manager):
        response = client_for(manager).post(
            reverse("organise:withdraw", args=[night_school.pk])
        )
        assert response.status_code == 302
        night_school.refresh_from_db()
        assert night_school.status == Activity.Status.WITHDRAWN

    def test_nobody_else_withdraws_or_cancels(
        self, night_school, approved_night_school, night_session, space_staff, trainee
    ):
        for person in (space_staff, trainee):
            client = client_for(person)
            for url in (
                reverse("organise:withdraw", args=[night_school.pk]),
                reverse("organise:cancel", args=[night_school.pk]),
                reverse("organise:cancel_session", args=[night_session.pk]),
            ):
                assert client.post(url, {"reason": "下雨"}).status_code == 404
        night_school.refresh_from_db()
        assert night_school.status == Activity.Status.APPROVED

    def test_the_organiser_cancels_with_a_reason_and_residents_are_told(
        self, night_session, manager, trainee
    ):
        activities.sign_up(night_session, person=trainee)
        url = reverse("organise:cancel", args=[night_session.activity_id])
        client = client_for(manager)
        client.post(url, {"reason": ""})
        assert Activity.objects.get().status == Activity.Status.APPROVED
        response = client.post(url, {"reason": "场地维修"}, follow=True)
        assert "已通知 1 位报名的居民" in response.content.decode()
        assert Activity.objects.get().status == Activity.Status.CANCELLED
        assert Booking.objects.get().status == Booking.Status.CANCELLED

    def test_the_organiser_cancels_one_session(self, night_session, manager):
        response = client_for(manager).post(
            reverse("organise:cancel_session", args=[night_session.pk]),
            {"reason": "老师生病"},
        )
        assert response.status_code == 302
        night_session.refresh_from_db()
        assert night_session.is_cancelled
        assert ActivityEvent.objects.filter(kind="session_cancelled").exists()

    def test_the_detail_is_for_the_organiser_and_the_staff_only(
        self, night_school, manager, space_staff, other_staff, trainee
    ):
        url = reverse("organise:activity", args=[night_school.pk])
        for person in (manager, space_staff):
            page = client_for(person).get(url).content.decode()
            assert "智能手机夜校" in page and "提交申请" in page  # the trail
        for person in (other_staff, trainee):
            assert client_for(person).get(url).status_code == 404


# --- review ----------------------------------------------------------------------------


class TestReview:
    def test_only_the_staff_of_a_space_see_the_queue(
        self, night_school, space_staff, other_staff, trainee, manager
    ):
        page = client_for(space_staff).get(reverse("organise:review"))
        assert page.status_code == 200 and "智能手机夜校" in page.content.decode()
        page = client_for(other_staff).get(reverse("organise:review"))
        assert page.status_code == 200
        assert "智能手机夜校" not in page.content.decode()
        assert client_for(trainee).get(reverse("organise:review")).status_code == 404
        assert client_for(manager).get(reverse("organise:review")).status_code == 404

    def test_others_cannot_decide(self, night_school, other_staff, trainee):
        for person in (other_staff, trainee):
            client = client_for(person)
            approve = reverse("organise:approve", args=[night_school.pk])
            reject = reverse("organise:reject", args=[night_school.pk])
            assert client.post(approve).status_code == 404
            assert client.post(reject, {"reason": "不行"}).status_code == 404
        assert Activity.objects.get().status == Activity.Status.PENDING

    def test_the_staff_approve_with_a_note(self, night_school, space_staff):
        response = client_for(space_staff).post(
            reverse("organise:approve", args=[night_school.pk]),
            {"note": "请提前布置桌椅"},
            follow=True,
        )
        assert "已通过“智能手机夜校”" in response.content.decode()
        night_school.refresh_from_db()
        assert night_school.status == Activity.Status.APPROVED
        assert night_school.decision_note == "请提前布置桌椅"
        assert "最近的审批" in response.content.decode()

    def test_turning_down_needs_a_reason(self, night_school, space_staff):
        url = reverse("organise:reject", args=[night_school.pk])
        client = client_for(space_staff)
        response = client.post(url, {"reason": ""}, follow=True)
        assert "请填写未通过的原因" in response.content.decode()
        assert Activity.objects.get().status == Activity.Status.PENDING
        client.post(url, {"reason": "时间与社区例会冲突"})
        night_school.refresh_from_db()
        assert night_school.status == Activity.Status.REJECTED
        mine = client_for(night_school.organiser).get(reverse("organise:mine"))
        assert "时间与社区例会冲突" in mine.content.decode()

    def test_a_conflict_is_shown_before_and_named_on_approval(
        self, manager, other_manager, space, space_staff
    ):
        first = propose(manager, space, title="剪纸工坊")
        second = propose(other_manager, space, title="合唱排练")
        client = client_for(space_staff)
        page = client.get(reverse("organise:review")).content.decode()
        assert "以下问题" not in page  # neither holds the time yet
        activities.approve_activity(first, actor=space_staff)
        page = client.get(reverse("organise:review")).content.decode()
        assert "以下问题会使审批不能通过" in page and "剪纸工坊" in page
        response = client.post(
            reverse("organise:approve", args=[second.pk]), follow=True
        )
        text = response.content.decode()
        assert "未能通过“合唱排练”" in text and "“剪纸工坊”" in text
        second.refresh_from_db()
        assert second.status == Activity.Status.PENDING

    def test_staff_cannot_approve_their_own(self, space, space_staff):
        own = propose(space_staff, space, title="读书会")
        response = client_for(space_staff).post(
            reverse("organise:approve", args=[own.pk]), follow=True
        )
        assert "不能审批自己发起的活动" in response.content.decode()
        own.refresh_from_db()
        assert own.status == Activity.Status.PENDING

    def test_a_get_changes_nothing(self, night_school, space_staff, manager):
        client = client_for(space_staff)
        assert (
            client.get(reverse("organise:approve", args=[night_school.pk])).status_code
            == 405
        )
        assert (
            client_for(manager)
            .get(reverse("organise:withdraw", args=[night_school.pk]))
            .status_code
            == 405
        )
        assert Activity.objects.get().status == Activity.Status.PENDING
