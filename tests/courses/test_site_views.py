"""The site host's pages through the client: 我负责的场次, a site's public week and
calendar feed, a session's roster with walk-ins and staff cancellations — once per
role (the site's host, another site's host, the session's instructor, an
administrator, a trainee, a visitor) and from the attacker's side."""

from datetime import date, datetime, time, timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from courses import booking, sessions
from courses.models import BookableSession, Booking, BookingEvent, Enrollment
from courses.selectors.sites import week_monday
from school import roles
from tests.courses.factories import ClassSessionFactory
from tests.factories import PracticeSiteFactory, UserFactory

pytestmark = pytest.mark.django_db

HUGE_ID = 2**63  # beyond any BIGINT: a 404, never a 500

Status = Booking.Status


def texts(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def enrolled(training_class, **kwargs):
    person = UserFactory(**kwargs)
    Enrollment.objects.create(
        training_class=training_class, trainee=person, status=Enrollment.Status.ACTIVE
    )
    return person


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def at_local(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def session_on(day: date, hour: int = 9, **kwargs):
    """A session starting at `hour` on `day`, local time, two hours long."""
    starts = at_local(day, hour)
    return ClassSessionFactory(
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        booking_closes_at=starts - timedelta(hours=1),
        **kwargs,
    )


def week_of(session) -> str:
    return timezone.localdate(session.starts_at).isoformat()


def snapshot(session) -> dict:
    """What the roster's actions could change, as plain values."""
    session.refresh_from_db()
    return {
        "counters": (
            session.confirmed_count,
            session.open_seats_taken,
            session.waitlist_issued,
        ),
        "bookings": sorted(
            Booking.objects.values_list("pk", "trainee", "status", "source")
        ),
        "events": BookingEvent.objects.count(),
    }


@pytest.fixture
def other_host(community):
    """The host of another practice site."""
    person = UserFactory(real_name="钱站长", role=roles.SITE_HOST)
    site = PracticeSiteFactory(name="梨园社区服务站", org_unit=community)
    site.hosts.add(person)
    return person


@pytest.fixture
def full_session(class_session, training_class):
    """class_session with one seat: the first trainee holds it, two wait."""
    BookableSession.objects.filter(pk=class_session.pk).update(seats=1)
    people = [
        enrolled(training_class, real_name=name) for name in ("甲一", "乙二", "丙三")
    ]
    made = [sessions.book_session(class_session, trainee=p, actor=p) for p in people]
    class_session.refresh_from_db()
    return made


# --- 我负责的场次 ----------------------------------------------------------------


def test_a_visitor_is_sent_to_log_in_from_my_sessions(client):
    response = client.get(reverse("sites:mine"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_a_site_host_sees_today_and_the_week_with_counts_and_roster_links(
    site_host, practice_site, class_session, full_session
):
    today = session_on(
        timezone.localdate(),
        hour=12,
        training_class=class_session.training_class,
        practice_site=practice_site,
        title="今日实操",
    )
    response = logged_in(site_host).get(
        reverse("sites:mine"), {"week": week_of(class_session)}
    )
    content = response.content.decode()

    assert response.status_code == 200
    assert [s.pk for s in response.context["overview"].today] == [today.pk]
    week = response.context["week"]
    assert [s.pk for day in week.days for s in day.sessions][-1] == class_session.pk
    assert "今日实操" in content
    assert "已预约 1/1" in content and "候补 2 人" in content
    assert reverse("sites:roster", args=[class_session.pk]) in content
    assert reverse("sites:roster", args=[today.pk]) in content
    assert reverse("sites:week", args=[practice_site.pk]) in content


def test_my_sessions_leave_out_another_sites_sessions(site_host, class_session):
    elsewhere = ClassSessionFactory(
        training_class=class_session.training_class,
        practice_site=PracticeSiteFactory(
            org_unit=class_session.practice_site.org_unit
        ),
    )
    response = logged_in(site_host).get(
        reverse("sites:mine"), {"week": week_of(class_session)}
    )
    listed = [s.pk for day in response.context["week"].days for s in day.sessions]
    assert class_session.pk in listed and elsewhere.pk not in listed


def test_an_instructor_sees_the_sessions_they_teach_and_no_others(
    instructor, class_session
):
    not_theirs = ClassSessionFactory(
        training_class=class_session.training_class,
        practice_site=class_session.practice_site,
        starts_at=class_session.starts_at + timedelta(hours=3),
        ends_at=class_session.ends_at + timedelta(hours=3),
        booking_closes_at=class_session.booking_closes_at,
    )
    online = ClassSessionFactory(training_class=class_session.training_class)
    online.instructors.add(instructor)
    response = logged_in(instructor).get(
        reverse("sites:mine"), {"week": week_of(class_session)}
    )
    listed = [s.pk for day in response.context["week"].days for s in day.sessions]
    assert class_session.pk in listed and online.pk in listed
    assert not_theirs.pk not in listed
    assert "线上" in response.content.decode()


def test_an_administrator_sees_every_sites_sessions(school_admin, class_session):
    elsewhere = ClassSessionFactory(
        training_class=class_session.training_class,
        practice_site=PracticeSiteFactory(
            org_unit=class_session.practice_site.org_unit
        ),
    )
    response = logged_in(school_admin).get(
        reverse("sites:mine"), {"week": week_of(class_session)}
    )
    listed = [s.pk for day in response.context["week"].days for s in day.sessions]
    assert {class_session.pk, elsewhere.pk} <= set(listed)
    assert response.context["overview"].manages_all


def test_someone_running_nothing_is_told_where_to_go(
    trainee, practice_site, class_session
):
    response = logged_in(trainee).get(reverse("sites:mine"))
    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["overview"].runs_nothing
    assert "您目前没有负责的教学点" in content
    assert reverse("courses:dashboard") in content
    assert reverse("sites:week", args=[practice_site.pk]) in content
    assert reverse("sites:roster", args=[class_session.pk]) not in content


def test_my_sessions_take_the_same_queries_for_two_sessions_or_twenty(
    site_host,
    practice_site,
    class_session,
    training_class,
    django_assert_max_num_queries,
):
    client = logged_in(site_host)
    url = reverse("sites:mine")
    params = {"week": week_of(class_session)}
    client.get(url, params)  # the session and permission caches warm up

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        return len(captured)

    few = queries()
    for hour in range(20):
        ClassSessionFactory(
            training_class=training_class,
            practice_site=practice_site,
            starts_at=class_session.starts_at + timedelta(days=hour % 3, minutes=hour),
            ends_at=class_session.ends_at + timedelta(days=hour % 3, minutes=hour),
            booking_closes_at=class_session.booking_closes_at,
        )
    assert queries() == few
    # the login session, the user, their permissions (2), the sites, the sessions,
    # the unread count of the header
    with django_assert_max_num_queries(7):
        client.get(url, params)


# --- a site's public week -------------------------------------------------------------


def test_the_week_is_public_and_shows_seats_left_day_by_day(
    client, practice_site, class_session, full_session, training_class
):
    more = session_on(
        timezone.localdate(class_session.starts_at),
        hour=8,
        training_class=training_class,
        practice_site=practice_site,
        title="清晨巡查",
        seats=30,
    )
    response = client.get(
        reverse("sites:week", args=[practice_site.pk]), {"week": week_of(class_session)}
    )
    content = response.content.decode()

    assert response.status_code == 200
    day = next(d for d in response.context["week"].days if d.sessions)
    assert [s.pk for s in day.sessions] == [more.pk, class_session.pk]
    assert "剩余 30 个座位" in content and "已满" in content
    assert "清晨巡查" in content and str(training_class.course.title) in content
    assert reverse("sites:feed", args=[practice_site.pk]) in content


def test_the_week_shows_no_one_s_name_or_phone(
    client, practice_site, class_session, full_session, site_host, instructor
):
    content = client.get(
        reverse("sites:week", args=[practice_site.pk]), {"week": week_of(class_session)}
    ).content.decode()
    for person in [b.trainee for b in full_session] + [site_host, instructor]:
        assert person.real_name not in content
        assert person.phone not in content and person.masked_phone not in content


def test_the_week_marks_a_cancelled_session(
    client, practice_site, class_session, school_admin
):
    booking.cancel_session(class_session, actor=school_admin, reason="场地检修")
    content = client.get(
        reverse("sites:week", args=[practice_site.pk]), {"week": week_of(class_session)}
    ).content.decode()
    assert "已取消" in content
    assert "场地检修" not in content


def test_the_week_links_a_visitor_to_log_in_and_a_trainee_to_the_class_sessions(
    client, trainee, practice_site, class_session
):
    url = reverse("sites:week", args=[practice_site.pk])
    params = {"week": week_of(class_session)}
    sessions_url = reverse(
        "courses:class_sessions", args=[class_session.training_class_id]
    )
    visitor = client.get(url, params).content.decode()
    assert "登录后预约" in visitor
    assert f'?next={sessions_url}"' in visitor
    member = logged_in(trainee).get(url, params).content.decode()
    assert f'href="{sessions_url}"' in member


def test_any_day_of_a_week_shows_that_week_with_previous_and_next_links(
    client, practice_site, class_session
):
    day = timezone.localdate(class_session.starts_at)
    monday = day - timedelta(days=day.weekday())
    url = reverse("sites:week", args=[practice_site.pk])
    for asked in (monday, monday + timedelta(days=6), day):
        response = client.get(url, {"week": asked.isoformat()})
        week = response.context["week"]
        assert week.monday == monday
        assert any(s.pk == class_session.pk for d in week.days for s in d.sessions)
    content = response.content.decode()
    assert f"?week={(monday - timedelta(days=7)).isoformat()}" in content
    assert f"?week={(monday + timedelta(days=7)).isoformat()}" in content
    later = client.get(url, {"week": (monday + timedelta(days=7)).isoformat()})
    assert not any(d.sessions for d in later.context["week"].days)


@pytest.mark.parametrize(
    "asked",
    ["", "abc", "2026-02-30", "2026-13-01", "0001-01-01", "9999-12-31", "1" * 80],
)
def test_a_bad_week_shows_this_week_without_error(client, practice_site, asked):
    response = client.get(
        reverse("sites:week", args=[practice_site.pk]), {"week": asked}
    )
    assert response.status_code == 200
    week = response.context["week"]
    assert week.is_current and week.monday.weekday() == 0


def test_week_monday_reads_any_day_and_falls_back_to_today():
    today = date(2026, 12, 4)  # a Friday
    assert week_monday("2026-12-06", today=today) == date(2026, 11, 30)
    assert week_monday("2026-12-07", today=today) == date(2026, 12, 7)
    assert week_monday(None, today=today) == date(2026, 11, 30)
    assert week_monday("2026-02-29", today=today) == date(2026, 11, 30)


def test_an_inactive_or_missing_site_is_a_404(client, practice_site):
    practice_site.is_active = False
    practice_site.save(update_fields=["is_active"])
    assert client.get(reverse("sites:week", args=[practice_site.pk])).status_code == 404
    assert client.get(reverse("sites:feed", args=[practice_site.pk])).status_code == 404
    assert client.get(reverse("sites:week", args=[HUGE_ID])).status_code == 404
    assert client.get(reverse("sites:feed", args=[HUGE_ID])).status_code == 404


def test_the_week_takes_the_same_queries_for_two_sessions_or_twenty(
    client, practice_site, class_session, training_class, django_assert_max_num_queries
):
    url = reverse("sites:week", args=[practice_site.pk])
    params = {"week": week_of(class_session)}
    client.get(url, params)  # the site-wide caches (schools, navigation) warm up

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        return len(captured)

    few = queries()
    for n in range(20):
        ClassSessionFactory(
            training_class=training_class,
            practice_site=practice_site,
            starts_at=class_session.starts_at + timedelta(days=n % 3, minutes=n),
            ends_at=class_session.ends_at + timedelta(days=n % 3, minutes=n),
            booking_closes_at=class_session.booking_closes_at,
        )
    assert queries() == few
    with django_assert_max_num_queries(2):  # the site and its week's sessions
        client.get(url, params)


# --- the site's calendar feed ----------------------------------------------------------


def test_the_feed_is_the_sites_calendar_without_anyones_name(
    client, practice_site, class_session, full_session
):
    response = client.get(reverse("sites:feed", args=[practice_site.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR")
    assert class_session.calendar_uid in body
    for made in full_session:
        assert made.trainee.real_name not in body
        assert made.trainee.phone not in body


# --- a session's roster -------------------------------------------------------------


def test_the_sites_host_reads_the_roster_with_whole_phones_and_the_queue(
    site_host, class_session, full_session
):
    response = logged_in(site_host).get(
        reverse("sites:roster", args=[class_session.pk])
    )
    content = response.content.decode()
    assert response.status_code == 200
    roster = response.context["roster"]
    assert [e.name for e in roster.confirmed] == ["甲一"]
    assert [(e.position, e.name) for e in roster.waitlist] == [(1, "乙二"), (2, "丙三")]
    for made in full_session:
        assert made.trainee.phone in content
    assert "本人预约" in content and "候补" in content
    assert reverse("sites:walk_in", args=[class_session.pk]) in content
    assert reverse("sites:staff_cancel", args=[full_session[0].pk]) in content


def test_the_roster_names_each_trainees_unit(site_host, class_session, training_class):
    person = enrolled(training_class, real_name="周五", org_unit=site_host.org_unit)
    sessions.book_session(class_session, trainee=person, actor=person)
    content = (
        logged_in(site_host)
        .get(reverse("sites:roster", args=[class_session.pk]))
        .content.decode()
    )
    assert "测试街道 › 桃园社区 › 第1网格" in content


def test_an_administrator_reads_whole_phones(school_admin, class_session, full_session):
    content = (
        logged_in(school_admin)
        .get(reverse("sites:roster", args=[class_session.pk]))
        .content.decode()
    )
    assert full_session[0].trainee.phone in content


def test_the_sessions_instructor_reads_the_roster_with_masked_phones(
    instructor, class_session, full_session
):
    response = logged_in(instructor).get(
        reverse("sites:roster", args=[class_session.pk])
    )
    content = response.content.decode()
    assert response.status_code == 200
    for made in full_session:
        assert made.trainee.masked_phone in content
        assert made.trainee.phone not in content
    assert "手机号已部分隐藏" in content


@pytest.mark.parametrize("who", ["other_host", "trainee"])
def test_others_get_a_404_for_the_roster(request, who, class_session, full_session):
    user = request.getfixturevalue(who)
    response = logged_in(user).get(reverse("sites:roster", args=[class_session.pk]))
    assert response.status_code == 404


def test_a_missing_or_huge_session_is_the_same_404(site_host, class_session):
    client = logged_in(site_host)
    for pk in (class_session.pk + 1000, HUGE_ID):
        assert client.get(reverse("sites:roster", args=[pk])).status_code == 404


def test_a_visitor_is_sent_to_log_in_from_a_roster(client, class_session):
    response = client.get(reverse("sites:roster", args=[class_session.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_roster_takes_the_same_queries_for_three_bookings_or_twenty(
    site_host, class_session, training_class, django_assert_max_num_queries
):
    client = logged_in(site_host)
    url = reverse("sites:roster", args=[class_session.pk])
    client.get(url)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for _ in range(3):
        person = enrolled(training_class)
        sessions.book_session(class_session, trainee=person, actor=person)
    few = queries()
    for _ in range(20):
        person = enrolled(training_class)
        sessions.book_session(class_session, trainee=person, actor=person)
    assert queries() == few
    with django_assert_max_num_queries(9):  # with the header's unread count
        client.get(url)


# --- walk-ins -----------------------------------------------------------------------


def walk_in(user, session, phone: str):
    return logged_in(user).post(
        reverse("sites:walk_in", args=[session.pk]), {"phone": phone}, follow=True
    )


def test_a_walk_in_takes_a_seat_after_the_cut_off(
    site_host, class_session, trainee, active_enrollment
):
    BookableSession.objects.filter(pk=class_session.pk).update(
        booking_closes_at=timezone.now() - timedelta(minutes=1)
    )
    typed = "１３７ " + trainee.phone[3:]  # full-width digits and a space
    response = walk_in(site_host, class_session, typed)

    assert response.redirect_chain[-1][0] == reverse(
        "sites:roster", args=[class_session.pk]
    )
    assert texts(response) == [f"已为{trainee.real_name}现场加入，占用 1 个座位。"]
    made = Booking.objects.get(session=class_session, trainee=trainee)
    assert (made.status, made.source) == (Status.CONFIRMED, Booking.Source.WALK_IN)
    class_session.refresh_from_db()
    assert class_session.confirmed_count == 1
    assert "现场加入" in response.content.decode()


def test_the_sessions_instructor_may_add_a_walk_in(
    instructor, class_session, trainee, active_enrollment
):
    response = walk_in(instructor, class_session, trainee.phone)
    assert response.status_code == 200
    assert Booking.objects.filter(session=class_session, trainee=trainee).exists()


def test_an_unknown_phone_is_refused_and_changes_nothing(site_host, class_session):
    before = snapshot(class_session)
    response = walk_in(site_host, class_session, "13900000000")
    assert texts(response) == [
        "没有找到手机号为 13900000000 的学员。请核对号码；"
        "尚未注册的学员须先注册并报名该培训班。"
    ]
    assert snapshot(class_session) == before


def test_a_malformed_phone_is_refused_and_changes_nothing(site_host, class_session):
    before = snapshot(class_session)
    response = walk_in(site_host, class_session, "12345")
    assert texts(response) == ["请输入 11 位中国大陆手机号码，例如 13800138000。"]
    assert snapshot(class_session) == before


def test_a_trainee_not_enrolled_is_sent_to_the_administrator(
    site_host, class_session, other_trainee
):
    before = snapshot(class_session)
    response = walk_in(site_host, class_session, other_trainee.phone)
    [message] = texts(response)
    assert message.startswith(f"{other_trainee.real_name}没有报名")
    assert "请联系培训班管理员为其报名后再加入" in message
    assert snapshot(class_session) == before


def test_a_full_session_refuses_a_walk_in(
    site_host, class_session, full_session, trainee, active_enrollment
):
    before = snapshot(class_session)
    response = walk_in(site_host, class_session, trainee.phone)
    assert texts(response) == [
        f"未能现场加入{trainee.real_name}：该场次已满，不能再加入现场学员。"
    ]
    assert snapshot(class_session) == before


def test_a_cancelled_session_refuses_a_walk_in(
    site_host, school_admin, class_session, trainee, active_enrollment
):
    booking.cancel_session(class_session, actor=school_admin, reason="暴雨停课")
    before = snapshot(class_session)
    response = walk_in(site_host, class_session, trainee.phone)
    assert texts(response) == [f"未能现场加入{trainee.real_name}：该场次已取消。"]
    assert snapshot(class_session) == before


def test_a_session_that_has_ended_refuses_a_walk_in_and_hides_the_form(
    site_host, practice_site, training_class, trainee, active_enrollment
):
    ended = session_on(
        timezone.localdate() - timedelta(days=1),
        training_class=training_class,
        practice_site=practice_site,
    )
    before = snapshot(ended)
    response = walk_in(site_host, ended, trainee.phone)
    assert texts(response) == [f"未能现场加入{trainee.real_name}：该场次已结束。"]
    assert snapshot(ended) == before
    content = response.content.decode()
    assert reverse("sites:walk_in", args=[ended.pk]) not in content


def test_someone_already_on_the_list_is_not_added_twice(
    site_host, class_session, full_session
):
    waiting = full_session[1].trainee
    before = snapshot(class_session)
    response = walk_in(site_host, class_session, waiting.phone)
    assert texts(response) == [
        f"{waiting.real_name}已在本场名单中（候补），无需现场加入。"
    ]
    assert snapshot(class_session) == before


@pytest.mark.parametrize("who", ["other_host", "trainee"])
def test_others_get_a_404_adding_a_walk_in_and_nothing_changes(
    request, who, class_session, trainee, active_enrollment
):
    user = request.getfixturevalue(who)
    before = snapshot(class_session)
    response = logged_in(user).post(
        reverse("sites:walk_in", args=[class_session.pk]), {"phone": trainee.phone}
    )
    assert response.status_code == 404
    assert snapshot(class_session) == before


def test_a_walk_in_for_a_huge_session_id_is_a_404(site_host):
    response = logged_in(site_host).post(
        reverse("sites:walk_in", args=[HUGE_ID]), {"phone": "13700000001"}
    )
    assert response.status_code == 404


# --- staff cancellations --------------------------------------------------------------


def staff_cancel(user, made, reason: str = "学员来电请假"):
    return logged_in(user).post(
        reverse("sites:staff_cancel", args=[made.pk]), {"reason": reason}, follow=True
    )


def test_staff_cancel_frees_the_seat_for_the_first_on_the_waitlist(
    site_host, class_session, full_session
):
    seat, first, second = full_session
    response = staff_cancel(site_host, seat)

    assert texts(response) == [
        "已取消甲一的预约，并已通知本人。候补第 1 位乙二已自动转为预约。"
    ]
    statuses = {b.pk: b.status for b in Booking.objects.filter(session=class_session)}
    assert statuses == {
        seat.pk: Status.CANCELLED,
        first.pk: Status.CONFIRMED,
        second.pk: Status.WAITLISTED,
    }
    event = BookingEvent.objects.get(booking=seat, kind=BookingEvent.Kind.CANCELLED)
    assert (event.actor_id, event.note) == (site_host.pk, "学员来电请假")
    roster = response.context["roster"]
    assert [e.name for e in roster.confirmed] == ["乙二"]
    assert [(e.position, e.name) for e in roster.waitlist] == [(1, "丙三")]


def test_the_sessions_instructor_may_cancel_a_booking(
    instructor, class_session, full_session
):
    staff_cancel(instructor, full_session[2])
    full_session[2].refresh_from_db()
    assert full_session[2].status == Status.CANCELLED


def test_staff_cancel_needs_a_reason(site_host, class_session, full_session):
    before = snapshot(class_session)
    response = staff_cancel(site_host, full_session[0], reason="   ")
    assert texts(response) == ["请填写取消原因。"]
    assert snapshot(class_session) == before


def test_an_already_cancelled_booking_is_refused(
    site_host, class_session, full_session
):
    staff_cancel(site_host, full_session[2])
    before = snapshot(class_session)
    response = staff_cancel(site_host, full_session[2])
    assert texts(response) == ["该预约已取消。"]
    assert snapshot(class_session) == before


@pytest.mark.parametrize("who", ["other_host", "trainee"])
def test_others_get_a_404_cancelling_a_booking_and_nothing_changes(
    request, who, class_session, full_session
):
    user = request.getfixturevalue(who)
    before = snapshot(class_session)
    response = logged_in(user).post(
        reverse("sites:staff_cancel", args=[full_session[0].pk]), {"reason": "捣乱"}
    )
    assert response.status_code == 404
    assert snapshot(class_session) == before


def test_cancelling_a_missing_or_huge_booking_is_a_404(site_host, class_session):
    client = logged_in(site_host)
    for pk in (987654, HUGE_ID):
        response = client.post(
            reverse("sites:staff_cancel", args=[pk]), {"reason": "测试"}
        )
        assert response.status_code == 404


def test_a_visitor_posting_is_sent_to_log_in_and_nothing_changes(
    client, class_session, full_session, trainee
):
    before = snapshot(class_session)
    for url, data in [
        (reverse("sites:walk_in", args=[class_session.pk]), {"phone": trainee.phone}),
        (reverse("sites:staff_cancel", args=[full_session[0].pk]), {"reason": "x"}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    assert snapshot(class_session) == before


# --- GET changes nothing; POST needs the CSRF token --------------------------------


@pytest.fixture
def post_cases(class_session, full_session, trainee, active_enrollment):
    """Each of the roster's POST URLs with data that would change something: a
    walk-in of an enrolled trainee (the session given seats to spare) and a staff
    cancellation of the first booking."""
    BookableSession.objects.filter(pk=class_session.pk).update(seats=5)
    return [
        (reverse("sites:walk_in", args=[class_session.pk]), {"phone": trainee.phone}),
        (
            reverse("sites:staff_cancel", args=[full_session[0].pk]),
            {"reason": "学员请假"},
        ),
    ]


def test_a_get_on_the_post_urls_changes_nothing(site_host, class_session, post_cases):
    client = logged_in(site_host)
    before = snapshot(class_session)
    for url, data in post_cases:
        assert client.get(url, data).status_code == 405
    assert snapshot(class_session) == before


def test_a_post_without_csrf_token_is_refused(site_host, class_session, post_cases):
    client = Client(enforce_csrf_checks=True)
    client.force_login(site_host)
    before = snapshot(class_session)
    for url, data in post_cases:
        assert client.post(url, data).status_code == 403
    assert snapshot(class_session) == before


def test_the_same_posts_with_the_token_do_change_something(
    site_host, class_session, post_cases
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(site_host)
    client.get(reverse("sites:roster", args=[class_session.pk]))  # the CSRF cookie
    token = client.cookies["csrftoken"].value
    for url, data in post_cases:
        before = snapshot(class_session)
        response = client.post(url, {**data, "csrfmiddlewaretoken": token})
        assert response.status_code == 302
        assert snapshot(class_session) != before
