"""The public side of community activities, through the client, once per role
(anonymous, resident, organiser, space staff): the week calendar and its
filters, an activity's page with each visitor's own state, signing up and
cancelling, 我的活动, and the reads' query counts."""

from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from courses import attendance
from courses.models import AttendanceRecord, BookableSession, Booking
from school.models import Level, OrgUnit
from tests.factories import OrgUnitFactory, UserFactory
from tests.volunteers.conftest import next_weekday_at
from volunteers import activities
from volunteers.models import Activity, ActivitySession, CommunitySpace

pytestmark = pytest.mark.django_db

Status = Booking.Status
HUGE = 10**20


def _detail(activity) -> str:
    return reverse("activities:activity", args=[activity.pk])


def _sign_up_url(session) -> str:
    return reverse("activities:sign_up", args=[session.pk])


def _cancel_url(made) -> str:
    return reverse("activities:cancel", args=[made.pk])


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _text(response) -> str:
    return response.content.decode()


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _approved(
    space, organiser, *, sessions: int = 1, seats: int = 20, title="手工皂工坊", **extra
) -> Activity:
    """An approved activity with `sessions` weekly sessions from next Tuesday 15:00
    (made directly: the pages, not the proposal rules, are under test here)."""
    activity = Activity.objects.create(
        title=title,
        kind=extra.pop("kind", Activity.Kind.WORKSHOP),
        description="自己动手做一块手工皂。",
        space=space,
        organiser=organiser,
        seats=seats,
        basis=Activity.Basis.GRANT,
        status=Activity.Status.APPROVED,
        **extra,
    )
    first = next_weekday_at(1, 15)
    for n in range(sessions):
        ActivitySession.objects.create(
            activity=activity,
            starts_at=first + timedelta(hours=n),
            ends_at=first + timedelta(hours=n, minutes=50),
            booking_closes_at=first + timedelta(hours=n) - timedelta(hours=1),
            seats=seats,
        )
    return activity


# --- the calendar ------------------------------------------------------------------


def test_anonymous_visitors_see_the_weeks_approved_sessions_only(
    night_session, manager, space
):
    pending = _approved(space, manager, title="待审的讲座")
    Activity.objects.filter(pk=pending.pk).update(status=Activity.Status.PENDING)
    week = timezone.localdate(night_session.starts_at).isoformat()

    response = _client().get(reverse("activities:calendar"), {"week": week})

    assert response.status_code == 200
    page = _text(response)
    assert "智能手机夜校" in page and _detail(night_session.activity) in page
    assert "剩 20 个名额" in page
    assert "夜校" in page and "桃园社区 · 活动室" in page
    assert "待审的讲座" not in page


def test_the_calendar_defaults_to_this_week_and_links_the_weeks_around_it(db):
    response = _client().get(reverse("activities:calendar"))

    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    page = _text(response)
    assert response.context["week"].monday == monday
    assert f"week={(monday + timedelta(days=7)).isoformat()}" in page
    assert f"week={(monday - timedelta(days=7)).isoformat()}" in page
    assert "这一周没有安排社区活动" in page  # empty, with a link to next week


def test_seat_states_in_the_calendar(space, manager, trainee, other_trainee):
    activity = _approved(space, manager, sessions=4, seats=1)
    full, closed, cancelled, _ = activity.sessions.order_by("starts_at")
    activities.sign_up(full, person=trainee)
    BookableSession.objects.filter(pk=closed.pk).update(
        booking_closes_at=timezone.now() - timedelta(minutes=1)
    )
    BookableSession.objects.filter(pk=cancelled.pk).update(
        cancelled_at=timezone.now(), cancel_reason="场地维修"
    )
    week = timezone.localdate(full.starts_at).isoformat()

    page = _text(_client().get(reverse("activities:calendar"), {"week": week}))

    for state in ("已满，可候补", "报名已截止", "已取消", "剩 1 个名额"):
        assert state in page


def test_the_calendar_filters_by_community_and_kind(space, manager, night_session):
    elsewhere = OrgUnitFactory(name="杏林社区", kind=OrgUnit.Kind.COMMUNITY)
    other_space = CommunitySpace.objects.create(
        community=elsewhere, name="书屋", address="杏林路 2 号", capacity=20
    )
    _approved(other_space, manager, title="读书会", kind=Activity.Kind.TALK)
    week = timezone.localdate(night_session.starts_at).isoformat()
    url = reverse("activities:calendar")

    by_community = _text(_client().get(url, {"week": week, "community": elsewhere.pk}))
    by_kind = _text(_client().get(url, {"week": week, "kind": "night_school"}))
    both = _text(_client().get(url, {"week": week}))

    assert "读书会" in by_community and "智能手机夜校" not in by_community
    assert "智能手机夜校" in by_kind and "读书会" not in by_kind
    assert "读书会" in both and "智能手机夜校" in both
    assert "杏林社区" in both and "桃园社区" in both  # the communities listed


@pytest.mark.parametrize(
    "params, message",
    [
        ({"week": "2026-13-45"}, "日期格式不正确"),
        ({"week": "<script>"}, "日期格式不正确"),
        ({"week": "9999-01-01"}, "日期超出范围"),
        ({"community": str(HUGE)}, "没有找到该社区"),
        ({"community": "abc"}, "没有找到该社区"),
        ({"kind": "party"}, "没有这种活动类型"),
    ],
)
def test_bad_calendar_queries_fall_back_and_say_so(space, params, message):
    response = _client().get(reverse("activities:calendar"), params)

    assert response.status_code == 200
    assert message in _text(response)
    assert "<script>" not in _text(response).split("</header>", 1)[1]


def test_a_community_without_spaces_is_no_filter(space, community):
    foreign = OrgUnitFactory(name="无空间社区", kind=OrgUnit.Kind.COMMUNITY)

    response = _client().get(reverse("activities:calendar"), {"community": foreign.pk})

    assert "没有找到该社区" in _text(response)
    assert response.context["filters"].community is None
    assert [u.pk for u in response.context["week"].communities] == [community.pk]


# --- an activity's page, by role ------------------------------------------------------


def test_anonymous_visitors_read_an_approved_activity_and_log_in_to_sign_up(
    night_session, manager
):
    activity = night_session.activity

    response = _client().get(_detail(activity))

    page = _text(response)
    assert response.status_code == 200
    assert "智能手机夜校" in page and "教老人用手机挂号" in page
    assert manager.real_name in page and manager.phone not in page
    assert "桃园路 1 号二楼" in page and "所有居民" in page
    login = reverse("accounts:login") + "?next=" + _detail(activity)
    assert "登录后报名" in page and login in page
    assert _sign_up_url(night_session) not in page


def test_a_pending_activity_is_404_except_for_those_who_run_it(
    night_school, manager, space_staff, trainee, school_admin
):
    url = _detail(night_school)

    assert _client().get(url).status_code == 404
    assert _client(trainee).get(url).status_code == 404
    assert _client(school_admin).get(url).status_code == 404
    for runner in (manager, space_staff):
        response = _client(runner).get(url)
        assert response.status_code == 200
        assert "正在等待社区空间工作人员审批" in _text(response)


@pytest.mark.parametrize("status", ["rejected", "withdrawn"])
def test_rejected_and_withdrawn_activities_are_404_to_the_public(
    night_school, manager, trainee, status
):
    Activity.objects.filter(pk=night_school.pk).update(status=status)

    assert _client().get(_detail(night_school)).status_code == 404
    assert _client(trainee).get(_detail(night_school)).status_code == 404
    assert _client(manager).get(_detail(night_school)).status_code == 200


def test_missing_and_huge_activity_ids_are_404(db, trainee):
    assert _client(trainee).get("/activities/999999/").status_code == 404
    assert _client(trainee).get(f"/activities/{HUGE}/").status_code == 404


def test_a_cancelled_activity_says_so_with_its_reason(
    approved_night_school, manager, trainee
):
    activities.cancel_activity(approved_night_school, actor=manager, reason="讲师生病")

    response = _client(trainee).get(_detail(approved_night_school))

    page = _text(response)
    assert response.status_code == 200
    assert "已取消" in page and "讲师生病" in page
    assert "activities/sessions/" not in page  # no sign-up button


# --- signing up and cancelling ----------------------------------------------------------


def test_a_resident_signs_up_sees_it_and_cancels(night_session, trainee):
    client = _client(trainee)
    page = _text(client.get(_detail(night_session.activity)))
    assert _sign_up_url(night_session) in page and "报名" in page

    response = client.post(_sign_up_url(night_session), follow=True)

    made = Booking.objects.get(session=night_session, trainee=trainee)
    assert made.status == Status.CONFIRMED
    assert response.redirect_chain[-1][0] == _detail(night_session.activity)
    assert any("报名成功" in m for m in _messages(response))
    page = _text(response)
    assert "已报名" in page and "取消报名" in page and _cancel_url(made) in page

    response = client.post(_cancel_url(made), follow=True)

    made.refresh_from_db()
    assert made.status == Status.CANCELLED
    assert any("已取消报名" in m for m in _messages(response))
    assert BookableSession.objects.get(pk=night_session.pk).confirmed_count == 0


def test_a_full_session_puts_the_resident_on_the_waitlist_with_their_place(
    space, manager, trainee, other_trainee
):
    activity = _approved(space, manager, seats=1)
    session = activity.sessions.get()
    activities.sign_up(session, person=other_trainee)
    client = _client(trainee)
    assert "加入候补" in _text(client.get(_detail(activity)))

    response = client.post(_sign_up_url(session), follow=True)

    made = Booking.objects.get(session=session, trainee=trainee)
    assert made.status == Status.WAITLISTED
    assert any("候补第 1 位" in m for m in _messages(response))
    page = _text(response)
    assert "候补第 1 位" in page and "取消候补" in page


def test_the_audience_refusal_shows_before_pressing_and_refuses_the_press(
    space, manager, trainee
):
    elsewhere = OrgUnitFactory(name="杏林社区", kind=OrgUnit.Kind.COMMUNITY)
    for_them = _approved(
        space,
        manager,
        audience=Activity.Audience.COMMUNITY,
        audience_unit=elsewhere,
    )
    for_volunteers = _approved(
        space,
        manager,
        title="志愿者沙龙",
        audience=Activity.Audience.LEVEL,
        audience_level=Level.VOLUNTEER,
    )
    client = _client(trainee)

    page = _text(client.get(_detail(for_them)))
    assert "仅限杏林社区居民" in page and "本活动仅面向杏林社区居民" in page
    assert _sign_up_url(for_them.sessions.get()) not in page
    assert "志愿者及以上" in _text(client.get(_detail(for_volunteers)))

    response = client.post(_sign_up_url(for_them.sessions.get()), follow=True)

    assert not Booking.objects.filter(trainee=trainee).exists()
    assert any("本活动仅面向杏林社区居民" in m for m in _messages(response))


def test_after_the_cut_off_the_page_says_whom_to_contact(
    night_session, trainee, manager, space_staff
):
    made = activities.sign_up(night_session, person=trainee)
    BookableSession.objects.filter(pk=night_session.pk).update(
        booking_closes_at=timezone.now() - timedelta(minutes=1)
    )

    page = _text(_client(trainee).get(_detail(night_session.activity)))

    assert "已过取消截止时间" in page and manager.phone in page
    assert space_staff.real_name in page
    assert _cancel_url(made) not in page
    response = _client(trainee).post(_cancel_url(made), follow=True)
    assert any("请联系" in m for m in _messages(response))
    made.refresh_from_db()
    assert made.status == Status.CONFIRMED


def test_signing_up_for_a_pending_activity_is_404_and_a_get_changes_nothing(
    night_session, space, manager, trainee
):
    pending = _approved(space, manager, title="待审的讲座")
    Activity.objects.filter(pk=pending.pk).update(status=Activity.Status.PENDING)
    pending_session = pending.sessions.get()
    client = _client(trainee)

    assert client.post(_sign_up_url(pending_session)).status_code == 404
    assert client.get(_sign_up_url(night_session)).status_code == 405
    assert client.post(f"/activities/sessions/{HUGE}/sign-up/").status_code == 404
    assert not Booking.objects.filter(trainee=trainee).exists()


def test_anonymous_sign_up_goes_to_login_and_changes_nothing(night_session):
    response = _client().post(_sign_up_url(night_session))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Booking.objects.exists()


def test_another_persons_booking_a_class_booking_and_huge_ids_are_404_to_cancel(
    night_session, trainee, other_trainee, class_session, active_enrollment
):
    theirs = activities.sign_up(night_session, person=other_trainee)
    from courses import sessions

    class_booking = sessions.book_session(class_session, trainee=trainee, actor=trainee)
    client = _client(trainee)

    assert client.post(_cancel_url(theirs)).status_code == 404
    assert client.post(_cancel_url(class_booking)).status_code == 404
    assert client.post(f"/activities/bookings/{HUGE}/cancel/").status_code == 404
    assert client.get(_cancel_url(theirs)).status_code == 405
    theirs.refresh_from_db()
    class_booking.refresh_from_db()
    assert theirs.status == class_booking.status == Status.CONFIRMED


def test_posts_without_a_csrf_token_are_refused(night_session, trainee):
    made = activities.sign_up(night_session, person=trainee)
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee)

    assert client.post(_cancel_url(made)).status_code == 403
    made.refresh_from_db()
    assert made.status == Status.CONFIRMED
    Booking.objects.filter(pk=made.pk).update(
        status=Status.CANCELLED, cancelled_at=timezone.now()
    )
    BookableSession.objects.filter(pk=night_session.pk).update(
        confirmed_count=0, open_seats_taken=0
    )
    assert client.post(_sign_up_url(night_session)).status_code == 403
    assert not Booking.objects.live().filter(trainee=trainee).exists()


# --- 我的活动 ---------------------------------------------------------------------------


def test_my_activities_lists_sign_ups_places_and_past_attendance(
    space, manager, trainee, other_trainee
):
    activity = _approved(space, manager, sessions=3, seats=1)
    going, waiting, attended = activity.sessions.order_by("starts_at")
    mine = activities.sign_up(going, person=trainee)
    activities.sign_up(waiting, person=other_trainee)
    queued = activities.sign_up(waiting, person=trainee)
    activities.sign_up(attended, person=trainee)
    attendance.record_attendance(
        attended,
        trainee=trainee,
        status=AttendanceRecord.Status.PRESENT,
        actor=manager,
        method=AttendanceRecord.Method.ROSTER,
    )
    past = timezone.now() - timedelta(days=2)
    BookableSession.objects.filter(pk=attended.pk).update(
        starts_at=past, ends_at=past + timedelta(hours=1), booking_closes_at=past
    )

    response = _client(trainee).get(reverse("activities:mine"))

    page = _text(response)
    assert response.status_code == 200
    mine_view = response.context["mine"]
    assert [r.booking.pk for r in mine_view.upcoming] == [mine.pk, queued.pk]
    assert mine_view.upcoming[1].position == 1
    assert [r.session.pk for r in mine_view.past] == [attended.pk]
    assert mine_view.past[0].attended
    assert "候补第 1 位" in page and "已报名" in page and "已参加" in page
    assert "桃园路 1 号二楼" in page
    assert _cancel_url(mine) in page and _cancel_url(queued) in page
    feedback = reverse("activity_checkin:feedback", args=[attended.pk])
    assert feedback in page
    assert reverse("activity_checkin:self", args=[going.pk]) not in page  # not yet

    response = _client(trainee).post(_cancel_url(queued), {"back": "mine"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("activities:mine")
    assert any("已取消候补" in m for m in _messages(response))


def test_my_activities_needs_a_login_and_shows_nothing_of_others(
    night_session, other_trainee, trainee
):
    activities.sign_up(night_session, person=other_trainee)

    response = _client().get(reverse("activities:mine"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))

    response = _client(trainee).get(reverse("activities:mine"))
    assert "智能手机夜校" not in _text(response)
    assert "您还没有报名社区活动" in _text(response)


def test_self_check_in_is_linked_only_inside_the_check_in_window(
    night_session, trainee
):
    activities.sign_up(night_session, person=trainee)
    soon = timezone.now() + timedelta(minutes=10)
    BookableSession.objects.filter(pk=night_session.pk).update(
        starts_at=soon, ends_at=soon + timedelta(hours=2), booking_closes_at=soon
    )

    page = _text(_client(trainee).get(reverse("activities:mine")))

    assert reverse("activity_checkin:self", args=[night_session.pk]) in page


def test_organisers_and_proposers_get_their_links_residents_do_not(
    approved_night_school, manager, trainee
):
    page = _text(_client(manager).get(reverse("activities:mine")))
    assert reverse("organise:mine") in page and reverse("organise:propose") in page

    page = _text(_client(trainee).get(reverse("activities:mine")))
    assert reverse("organise:mine") not in page
    assert reverse("organise:propose") not in page


# --- query counts ---------------------------------------------------------------------


def _queries(client: Client, url: str, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["calendar", "detail", "mine"])
def test_pages_take_as_many_queries_for_thirty_sessions_as_for_three(
    space, manager, page
):
    counts = []
    for n in (3, 30):
        activity = _approved(space, manager, sessions=n, title=f"{n} 场的活动")
        person = UserFactory(org_unit=space.community)
        sessions = list(activity.sessions.order_by("starts_at"))
        for session in sessions:
            activities.sign_up(session, person=person)
        # and someone waiting in each, so the waitlist places are read too
        full = UserFactory(org_unit=space.community)
        ActivitySession.objects.filter(activity=activity).update(seats=1)
        for session in sessions:
            activities.sign_up(session, person=full)
        client = _client(person if page != "calendar" else full)
        if page == "calendar":
            week = timezone.localdate(sessions[0].starts_at).isoformat()
            url, params = reverse("activities:calendar"), {"week": week}
        elif page == "detail":
            url, params = _detail(activity), None
        else:
            url, params = reverse("activities:mine"), None
        client.get(url, params)  # warm caches (site, session)
        counts.append(_queries(client, url, params))
        Activity.objects.filter(pk=activity.pk).update(status=Activity.Status.REJECTED)
    assert counts[0] == counts[1], counts
