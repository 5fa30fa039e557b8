"""The 实践场次 and 预约记录 admin, once per role: administrators manage every
session; a site host manages the sessions at their sites (another site's are a
404) and sees only their bookings; an instructor reads the sessions they teach; a
trainee never reaches the admin. Every change is a POST with CSRF, and an edit
never writes a session's counters."""

import csv
import io
from datetime import timedelta

from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

import pytest
from openpyxl import load_workbook

from courses import booking, sessions
from courses.models import (
    Booking,
    BookingEvent,
    ClassSession,
    Enrollment,
    SeatQuota,
)
from school import roles
from tests.courses.factories import ClassSessionFactory
from tests.factories import PracticeSiteFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN_HOME = reverse("wagtailadmin_home")
INDEX = reverse("class_sessions:index")
BOOKINGS = reverse("bookings:index")
Kind = BookingEvent.Kind


def url(name: str, *args) -> str:
    return reverse(f"class_sessions:{name}", args=args)


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def enrolled(training_class, **kwargs):
    person = UserFactory(**kwargs)
    Enrollment.objects.create(
        training_class=training_class, trainee=person, status=Enrollment.Status.ACTIVE
    )
    return person


@pytest.fixture
def other_site(community):
    """A site 赵站长 does not host, with its own host."""
    site = PracticeSiteFactory(name="杏花社区服务站", org_unit=community, capacity=25)
    site.hosts.add(UserFactory(real_name="钱站长", role=roles.SITE_HOST))
    return site


@pytest.fixture
def other_session(training_class, other_site):
    return ClassSessionFactory(
        training_class=training_class, practice_site=other_site, seats=10
    )


@pytest.fixture
def booked(class_session, training_class, grid):
    """Two confirmed bookings and, with the session cut to two seats, one waiting."""
    people = [
        enrolled(training_class, real_name=name, phone=phone, org_unit=grid)
        for name, phone in (
            ("陈一", "13800000001"),
            ("陈二", "13800000002"),
            ("陈三", "13800000003"),
        )
    ]
    made = [
        sessions.book_session(class_session, trainee=p, actor=p) for p in people[:2]
    ]
    booking.change_seats(class_session, seats=2, actor=people[0])
    made.append(
        sessions.book_session(class_session, trainee=people[2], actor=people[2])
    )
    assert [b.status for b in made] == ["confirmed", "confirmed", "waitlisted"]
    return made


def session_data(session_or_class, site, **overrides) -> dict:
    """Form data for a new session (or the fields of an existing one)."""
    if isinstance(session_or_class, ClassSession):
        session = session_or_class
        data = {
            "training_class": session.training_class_id,
            "title": session.title,
            "practice_site": session.practice_site_id or "",
            "meeting_url": session.meeting_url,
            "starts_at": local(session.starts_at),
            "ends_at": local(session.ends_at),
            "booking_closes_at": local(session.booking_closes_at),
            "seats": session.seats,
            "instructors": [u.pk for u in session.instructors.all()],
            "notes": session.notes,
            "quota_release_at": "",
        }
    else:
        start = (timezone.localtime() + timedelta(days=10)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
        data = {
            "training_class": session_or_class.pk,
            "title": "垃圾分类实操",
            "practice_site": site.pk if site else "",
            "meeting_url": "",
            "starts_at": local(start),
            "ends_at": local(start + timedelta(hours=2)),
            "booking_closes_at": "",
            "seats": "",
            "instructors": [],
            "notes": "",
            "quota_release_at": "",
            "repeat": 1,
        }
    data.update(overrides)
    return data


def listed(response) -> set:
    return set(response.context["object_list"])


# The list ------------------------------------------------------------------------


def test_an_administrator_sees_every_session_with_its_seats_and_waitlist(
    client, school_admin, class_session, other_session, booked
):
    client.force_login(school_admin)

    response = client.get(INDEX)

    assert response.status_code == 200
    assert listed(response) == {class_session, other_session}
    page = response.content.decode()
    assert reverse("bookings:index") in page  # both in the 课程 menu
    assert "2/2" in page  # confirmed/seats
    row = next(s for s in response.context["object_list"] if s == class_session)
    assert row.waitlisted == 1


def test_a_site_host_sees_only_the_sessions_at_their_sites(
    client, site_host, class_session, other_session
):
    client.force_login(site_host)
    assert listed(client.get(INDEX)) == {class_session}


def test_an_instructor_sees_only_the_sessions_they_teach(
    client, instructor, class_session, other_session
):
    client.force_login(instructor)
    response = client.get(INDEX)
    assert listed(response) == {class_session}
    assert url("edit", class_session.pk) not in response.content.decode()


def test_the_list_filters_by_site_class_date_and_cancellation(
    client, school_admin, class_session, other_session, training_class, course
):
    from tests.courses.factories import TrainingClassFactory

    later = ClassSessionFactory(
        training_class=TrainingClassFactory(course=course),
        practice_site=class_session.practice_site,
        seats=5,
        starts_at=class_session.starts_at + timedelta(days=20),
        ends_at=class_session.ends_at + timedelta(days=20),
        booking_closes_at=class_session.booking_closes_at + timedelta(days=20),
    )
    booking.cancel_session(other_session, actor=school_admin, reason="场地维修")
    client.force_login(school_admin)
    day = timezone.localtime(class_session.starts_at).date()

    def shown(**query):
        return listed(client.get(INDEX, query))

    assert shown(practice_site=class_session.practice_site_id) == {class_session, later}
    assert shown(training_class=training_class.pk) == {class_session, other_session}
    assert shown(date_from=day.isoformat(), date_to=day.isoformat()) == {
        class_session,
        other_session,
    }
    assert shown(state="cancelled") == {other_session}
    assert shown(state="live") == {class_session, later}


def test_a_trainee_never_reaches_the_session_or_booking_admin(
    client, trainee, class_session, booked
):
    client.force_login(trainee)
    for path in (
        INDEX,
        url("add"),
        url("edit", class_session.pk),
        url("roster", class_session.pk),
        url("export_roster", class_session.pk, "csv"),
        url("quotas", class_session.pk),
        url("cancel", class_session.pk),
        BOOKINGS,
        reverse("bookings:inspect", args=[booked[0].pk]),
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith(reverse("wagtailadmin_login"))


# Creating --------------------------------------------------------------------------


def test_creating_one_session_defaults_seats_and_cutoff(
    client, school_admin, training_class, practice_site, instructor
):
    client.force_login(school_admin)

    response = client.post(
        url("add"),
        session_data(training_class, practice_site, instructors=[instructor.pk]),
    )

    assert response.status_code == 302
    session = ClassSession.objects.get()
    assert session.seats == practice_site.capacity
    assert session.booking_closes_at == session.starts_at - timedelta(hours=24)
    assert list(session.instructors.all()) == [instructor]
    assert session.series is None


def test_creating_a_weekly_series_makes_six_sessions(
    client, school_admin, training_class, practice_site
):
    client.force_login(school_admin)

    response = client.post(
        url("add"), session_data(training_class, practice_site, repeat=6)
    )

    assert response.status_code == 302
    created = list(ClassSession.objects.order_by("starts_at"))
    assert len(created) == 6
    assert len({s.series for s in created}) == 1
    gaps = {
        b.starts_at - a.starts_at for a, b in zip(created, created[1:], strict=False)
    }
    assert gaps == {timedelta(days=7)}


def test_more_seats_than_the_site_holds_are_refused_with_a_message(
    client, school_admin, training_class, practice_site
):
    client.force_login(school_admin)

    response = client.post(
        url("add"), session_data(training_class, practice_site, seats=31)
    )

    assert response.status_code == 200
    assert "座位数不能超过教学点" in " ".join(response.context["form"].errors["seats"])
    assert not ClassSession.objects.exists()


def test_an_online_session_needs_a_meeting_link(client, school_admin, training_class):
    client.force_login(school_admin)

    response = client.post(url("add"), session_data(training_class, None, seats=50))

    assert "线上场次须填写会议链接。" in response.context["form"].errors["meeting_url"]
    assert not ClassSession.objects.exists()

    client.post(
        url("add"),
        session_data(
            training_class, None, seats=50, meeting_url="https://meeting.example.cn/1"
        ),
    )
    assert ClassSession.objects.get().is_online


def test_a_conflicting_series_is_refused_naming_the_session_with_a_link(
    client, school_admin, training_class, practice_site, class_session
):
    client.force_login(school_admin)
    first = class_session.starts_at - timedelta(days=7)

    response = client.post(
        url("add"),
        session_data(
            training_class,
            practice_site,
            seats=15,
            repeat=3,
            starts_at=local(first),
            ends_at=local(first + timedelta(hours=2)),
        ),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["starts_at"]
    assert len(errors) == 1
    assert str(class_session.training_class) in errors[0]
    page = response.content.decode()
    assert f'href="{url("edit", class_session.pk)}"' in page
    assert ClassSession.objects.count() == 1


def test_a_double_booked_instructor_is_refused(
    client, school_admin, training_class, class_session, instructor
):
    client.force_login(school_admin)

    response = client.post(
        url("add"),
        session_data(
            training_class,
            None,
            seats=40,
            meeting_url="https://meeting.example.cn/2",
            instructors=[instructor.pk],
            starts_at=local(class_session.starts_at + timedelta(hours=1)),
            ends_at=local(class_session.ends_at + timedelta(hours=1)),
        ),
    )

    [error] = response.context["form"].errors["starts_at"]
    assert "李讲师" in error
    assert ClassSession.objects.count() == 1


def test_a_site_host_schedules_only_at_their_sites(
    client, site_host, training_class, practice_site, other_site
):
    client.force_login(site_host)

    form = client.get(url("add")).context["form"]
    assert list(form.fields["practice_site"].queryset) == [practice_site]

    response = client.post(url("add"), session_data(training_class, other_site))
    assert "practice_site" in response.context["form"].errors
    response = client.post(
        url("add"),
        session_data(
            training_class, None, seats=5, meeting_url="https://m.example.cn/3"
        ),
    )
    assert "practice_site" in response.context["form"].errors
    assert not ClassSession.objects.exists()

    client.post(url("add"), session_data(training_class, practice_site))
    assert ClassSession.objects.get().practice_site == practice_site


def test_an_instructor_cannot_create_sessions(client, instructor, training_class):
    client.force_login(instructor)
    response = client.post(url("add"), session_data(training_class, None))
    assert (response.status_code, response.url) == (302, ADMIN_HOME)
    assert not ClassSession.objects.exists()


# Editing ---------------------------------------------------------------------------


def test_an_edit_keeps_the_counters_of_a_booking_made_meanwhile(
    client, school_admin, class_session, training_class
):
    client.force_login(school_admin)
    data = session_data(class_session, None, title="入户走访")
    assert client.get(url("edit", class_session.pk)).status_code == 200
    person = enrolled(training_class)
    sessions.book_session(class_session, trainee=person, actor=person)  # meanwhile

    response = client.post(url("edit", class_session.pk), data)

    assert response.status_code == 302
    class_session.refresh_from_db()
    assert class_session.title == "入户走访"
    assert (class_session.confirmed_count, class_session.open_seats_taken) == (1, 1)
    assert class_session.sequence == 0  # neither time nor place changed


def test_fewer_seats_than_confirmed_are_refused_on_the_field(
    client, school_admin, class_session, booked
):
    client.force_login(school_admin)

    response = client.post(
        url("edit", class_session.pk),
        session_data(class_session, None, seats=1, title="不会保存"),
    )

    assert response.status_code == 200
    assert "已有 2 人预约成功" in response.context["form"].errors["seats"][0]
    class_session.refresh_from_db()
    assert (class_session.seats, class_session.title) == (2, "")


def test_more_seats_promote_the_waitlist(client, school_admin, class_session, booked):
    client.force_login(school_admin)

    client.post(
        url("edit", class_session.pk), session_data(class_session, None, seats=3)
    )

    class_session.refresh_from_db()
    assert (class_session.seats, class_session.confirmed_count) == (3, 3)
    booked[2].refresh_from_db()
    assert booked[2].status == Booking.Status.CONFIRMED


def test_a_new_time_tells_the_booked_and_moves_the_calendar(
    client, school_admin, class_session, booked
):
    client.force_login(school_admin)
    later = class_session.starts_at + timedelta(hours=1)

    response = client.post(
        url("edit", class_session.pk),
        session_data(
            class_session,
            None,
            starts_at=local(later),
            ends_at=local(later + timedelta(hours=2)),
        ),
        follow=True,
    )

    assert "已通知 3 位" in response.content.decode()
    class_session.refresh_from_db()
    assert class_session.sequence == 1
    assert class_session.confirmed_count == 2
    assert BookingEvent.objects.filter(kind=Kind.RESCHEDULED).count() == 3


def test_an_edit_that_collides_names_the_other_session(
    client, school_admin, class_session, training_class, practice_site
):
    other = ClassSessionFactory(
        training_class=training_class,
        practice_site=practice_site,
        seats=20,
        starts_at=class_session.starts_at + timedelta(days=1),
        ends_at=class_session.ends_at + timedelta(days=1),
        booking_closes_at=class_session.booking_closes_at + timedelta(days=1),
    )
    client.force_login(school_admin)

    response = client.post(
        url("edit", other.pk),
        session_data(
            other,
            None,
            starts_at=local(class_session.starts_at),
            ends_at=local(class_session.ends_at),
            booking_closes_at=local(class_session.booking_closes_at),
        ),
    )

    assert response.status_code == 200
    assert f'href="{url("edit", class_session.pk)}"' in response.content.decode()
    other.refresh_from_db()
    assert other.starts_at == class_session.starts_at + timedelta(days=1)


def test_the_edit_form_has_no_repeat(client, school_admin, class_session):
    client.force_login(school_admin)
    form = client.get(url("edit", class_session.pk)).context["form"]
    assert "repeat" not in form.fields


def test_the_host_opens_the_history_of_their_session(client, site_host, class_session):
    client.force_login(site_host)
    assert client.get(url("history", class_session.pk)).status_code == 200


def test_a_site_host_gets_404_for_another_sites_session(
    client, site_host, other_session
):
    booking_made = Booking.objects.create(
        session=other_session,
        trainee=UserFactory(),
        status=Booking.Status.CONFIRMED,
        confirmed_at=timezone.now(),
    )
    client.force_login(site_host)

    for path in (
        url("edit", other_session.pk),
        url("roster", other_session.pk),
        url("export_roster", other_session.pk, "csv"),
        url("export_roster", other_session.pk, "xlsx"),
        url("quotas", other_session.pk),
        url("cancel", other_session.pk),
        url("history", other_session.pk),
        reverse("bookings:inspect", args=[booking_made.pk]),
        url("roster", 999999),
    ):
        assert client.get(path).status_code == 404, path
    for path in (
        url("edit", other_session.pk),
        url("cancel", other_session.pk),
        url("reserve_seats", other_session.pk),
        reverse("bookings:cancel", args=[booking_made.pk]),
    ):
        assert client.post(path, {"reason": "x", "seats": 1}).status_code == 404, path
    other_session.refresh_from_db()
    assert not other_session.is_cancelled
    booking_made.refresh_from_db()
    assert booking_made.status == Booking.Status.CONFIRMED


def test_a_site_host_edits_their_own_sessions(client, site_host, class_session):
    client.force_login(site_host)
    response = client.post(
        url("edit", class_session.pk),
        session_data(class_session, None, notes="请带身份证"),
    )
    assert response.status_code == 302
    class_session.refresh_from_db()
    assert class_session.notes == "请带身份证"


def test_an_instructor_reads_but_does_not_change(
    client, instructor, class_session, booked
):
    client.force_login(instructor)

    assert client.get(url("roster", class_session.pk)).status_code == 200
    assert client.get(url("quotas", class_session.pk)).status_code == 200
    response = client.post(
        url("edit", class_session.pk), session_data(class_session, None, title="x")
    )
    assert (response.status_code, response.url) == (302, ADMIN_HOME)
    # Seeing the session but not changing it: Wagtail's "no permission" redirect.
    for response in (
        client.get(url("cancel", class_session.pk)),
        client.post(url("cancel", class_session.pk), {"reason": "x"}),
        client.post(
            url("reserve_seats", class_session.pk), {"org_unit": "桃园社区", "seats": 1}
        ),
    ):
        assert (response.status_code, response.url) == (302, ADMIN_HOME)
    assert client.get(BOOKINGS).status_code == 302  # no booking admin for 讲师
    class_session.refresh_from_db()
    assert (class_session.title, class_session.is_cancelled) == ("", False)
    assert not SeatQuota.objects.exists()


# Cancelling and deleting -------------------------------------------------------------


def test_cancelling_a_session_needs_a_reason_and_tells_everyone_booked(
    client, school_admin, class_session, booked
):
    client.force_login(school_admin)

    page = client.get(url("cancel", class_session.pk))
    assert page.status_code == 200
    assert "2 位已预约和 1 位候补" in page.content.decode()
    response = client.post(url("cancel", class_session.pk), {"reason": "  "})
    assert "请填写取消原因。" in response.context["form"].errors["reason"]
    class_session.refresh_from_db()
    assert not class_session.is_cancelled

    response = client.post(url("cancel", class_session.pk), {"reason": "暴雨停课"})

    assert response.status_code == 302
    class_session.refresh_from_db()
    assert class_session.cancel_reason == "暴雨停课"
    events = BookingEvent.objects.filter(kind=Kind.SESSION_CANCELLED)
    assert events.count() == 3
    assert set(events.values_list("note", flat=True)) == {"暴雨停课"}
    assert set(events.values_list("actor", flat=True)) == {school_admin.pk}
    assert not Booking.objects.live().exists()


def test_a_session_with_bookings_is_not_deleted(
    client, school_admin, class_session, booked
):
    client.force_login(school_admin)

    for method in (client.get, client.post):
        response = method(url("delete", class_session.pk))
        assert response.status_code == 302
        assert response.url == url("roster", class_session.pk)
    assert ClassSession.objects.filter(pk=class_session.pk).exists()


def test_an_unbooked_session_may_be_deleted_by_an_administrator_only(
    client, school_admin, site_host, class_session
):
    client.force_login(site_host)
    client.post(url("delete", class_session.pk))
    assert ClassSession.objects.filter(pk=class_session.pk).exists()

    client.force_login(school_admin)
    response = client.post(url("delete", class_session.pk))
    assert response.status_code == 302
    assert not ClassSession.objects.filter(pk=class_session.pk).exists()


# Roster and export ---------------------------------------------------------------------


def test_the_roster_lists_status_waitlist_position_and_source(
    client, instructor, class_session, booked
):
    client.force_login(instructor)

    response = client.get(url("roster", class_session.pk))

    rows = response.context["rows"]
    assert [r.trainee.real_name for r in rows] == ["陈一", "陈二", "陈三"]
    assert [r.position for r in rows] == [None, None, 1]
    page = response.content.decode()
    assert "138****0001" in page and "13800000001" not in page
    assert "本人预约" in page and "候补" in page


def test_the_site_host_sees_whole_phones(client, site_host, class_session, booked):
    client.force_login(site_host)
    assert "13800000001" in client.get(url("roster", class_session.pk)).content.decode()


def test_the_roster_exports_as_csv_and_xlsx(client, instructor, class_session, booked):
    client.force_login(instructor)

    response = client.get(url("export_roster", class_session.pk, "csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:7] == [
        "序号",
        "姓名",
        "手机号",
        "所属单位",
        "状态",
        "候补位置",
        "方式",
    ]
    unit = "测试街道 › 桃园社区 › 第1网格"
    assert rows[1][:7] == ["1", "陈一", "138****0001", unit, "已预约", "", "本人预约"]
    assert rows[3][:7] == ["3", "陈三", "138****0003", unit, "候补", "1", "本人预约"]

    response = client.get(url("export_roster", class_session.pk, "xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("序号", "姓名", "手机号")
    assert [row[1] for row in values[1:]] == ["陈一", "陈二", "陈三"]
    assert values[3][5] == 1

    assert client.get(url("export_roster", class_session.pk, "pdf")).status_code == 404


def test_the_export_shows_whole_phones_to_an_administrator(
    client, school_admin, class_session, booked
):
    client.force_login(school_admin)
    response = client.get(url("export_roster", class_session.pk, "csv"))
    assert "13800000001" in response.content.decode("utf-8-sig")


# Unit quotas ---------------------------------------------------------------------------


def test_reserving_and_releasing_a_units_seats(
    client, site_host, class_session, community
):
    client.force_login(site_host)

    response = client.post(
        url("reserve_seats", class_session.pk),
        {"org_unit": "测试街道 › 桃园社区", "seats": 5},
    )
    assert response.status_code == 302
    quota = SeatQuota.objects.get()
    assert (quota.org_unit, quota.seats) == (community, 5)
    class_session.refresh_from_db()
    assert class_session.reserved_seats == 5
    page = client.get(url("quotas", class_session.pk)).content.decode()
    assert "预留中" in page

    response = client.post(url("release_quota", quota.pk))
    assert response.status_code == 302
    quota.refresh_from_db()
    assert quota.released_at is not None
    class_session.refresh_from_db()
    assert class_session.reserved_seats == 0

    # Released twice: nothing more happens, and the host is told.
    response = client.post(url("release_quota", quota.pk), follow=True)
    assert "已经释放" in response.content.decode()


def test_reserving_more_than_the_open_seats_is_refused(
    client, school_admin, class_session
):
    client.force_login(school_admin)
    response = client.post(
        url("reserve_seats", class_session.pk),
        {"org_unit": "桃园社区", "seats": 21},
        follow=True,
    )
    assert "开放座位只剩 20 个" in response.content.decode()
    assert not SeatQuota.objects.exists()


def test_a_bad_unit_or_seat_count_changes_nothing(client, school_admin, class_session):
    client.force_login(school_admin)
    for data in (
        {"org_unit": "不存在的社区", "seats": 2},
        {"org_unit": "桃园社区", "seats": 0},
    ):
        response = client.post(
            url("reserve_seats", class_session.pk), data, follow=True
        )
        assert response.status_code == 200
    assert not SeatQuota.objects.exists()


# Bookings ----------------------------------------------------------------------------


def test_the_booking_list_shows_a_site_host_only_their_sites_bookings(
    client, site_host, school_admin, class_session, other_session, booked
):
    theirs = Booking.objects.create(
        session=other_session,
        trainee=UserFactory(),
        status=Booking.Status.CONFIRMED,
        confirmed_at=timezone.now(),
    )
    client.force_login(site_host)
    assert listed(client.get(BOOKINGS)) == set(booked)

    client.force_login(school_admin)
    assert listed(client.get(BOOKINGS)) == {*booked, theirs}
    assert listed(client.get(BOOKINGS, {"status": "waitlisted"})) == {booked[2]}
    assert listed(client.get(BOOKINGS, {"site": other_session.practice_site_id})) == {
        theirs
    }


def test_a_booking_shows_its_trail_and_staff_cancel_it_with_a_reason(
    client, site_host, class_session, booked
):
    client.force_login(site_host)
    first = booked[0]

    page = client.get(reverse("bookings:inspect", args=[first.pk])).content.decode()
    assert "预约成功" in page and "取消该预约" in page

    response = client.post(reverse("bookings:cancel", args=[first.pk]), {"reason": ""})
    first.refresh_from_db()
    assert first.status == Booking.Status.CONFIRMED

    response = client.post(
        reverse("bookings:cancel", args=[first.pk]), {"reason": "本人电话请假"}
    )

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == Booking.Status.CANCELLED
    event = first.events.get(kind=Kind.CANCELLED)
    assert (event.actor, event.note) == (site_host, "本人电话请假")
    booked[2].refresh_from_db()
    assert booked[2].status == Booking.Status.CONFIRMED  # promoted
    page = client.get(reverse("bookings:inspect", args=[first.pk])).content.decode()
    assert "本人电话请假" in page and "取消该预约" not in page


def test_bookings_have_no_generic_add_edit_or_delete(client, school_admin, booked):
    for name in ("add", "edit", "delete"):
        with pytest.raises(NoReverseMatch):
            reverse(f"bookings:{name}", args=[booked[0].pk] if name != "add" else [])
    client.force_login(school_admin)
    page = client.get(BOOKINGS).content.decode()
    assert "/admin/bookings/edit/" not in page


# GET and CSRF -----------------------------------------------------------------------------


def test_get_on_the_post_urls_changes_nothing(
    client, school_admin, class_session, booked, community
):
    quota = booking.reserve_seats(
        ClassSessionFactory(training_class=class_session.training_class),
        org_unit=community,
        seats=1,
        actor=school_admin,
    )
    client.force_login(school_admin)

    for path in (
        url("reserve_seats", class_session.pk) + "?org_unit=桃园社区&seats=2",
        url("release_quota", quota.pk),
        reverse("bookings:cancel", args=[booked[0].pk]) + "?reason=x",
    ):
        assert client.get(path).status_code == 405, path
    # The cancel page shows a confirmation; only its POST cancels.
    assert client.get(url("cancel", class_session.pk) + "?reason=x").status_code == 200

    class_session.refresh_from_db()
    quota.refresh_from_db()
    assert not class_session.is_cancelled
    assert (quota.seats, quota.released_at) == (1, None)
    assert Booking.objects.live().count() == 3


def test_the_post_views_refuse_a_post_without_csrf(
    school_admin, class_session, booked, community
):
    quota = booking.reserve_seats(
        ClassSessionFactory(training_class=class_session.training_class),
        org_unit=community,
        seats=1,
        actor=school_admin,
    )
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(school_admin)
    posts = {
        url("cancel", class_session.pk): {"reason": "暴雨"},
        url("reserve_seats", class_session.pk): {"org_unit": "桃园社区", "seats": 2},
        url("release_quota", quota.pk): {},
        reverse("bookings:cancel", args=[booked[0].pk]): {"reason": "x"},
        url("edit", class_session.pk): session_data(class_session, None, title="x"),
        url("add"): {},
    }
    for path, data in posts.items():
        assert browser.post(path, data).status_code == 403, path

    class_session.refresh_from_db()
    quota.refresh_from_db()
    assert (class_session.is_cancelled, class_session.title) == (False, "")
    assert (quota.seats, quota.released_at) == (1, None)
    assert Booking.objects.live().count() == 3

    # The control: with the token, the same POST does cancel.
    page = browser.get(url("cancel", class_session.pk))
    token = page.cookies["csrftoken"].value
    response = browser.post(
        url("cancel", class_session.pk),
        {"reason": "暴雨", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    class_session.refresh_from_db()
    assert class_session.is_cancelled
