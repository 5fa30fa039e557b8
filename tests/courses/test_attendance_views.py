"""The attendance roster (点名) through the client, once per role: the session's
instructor, its site's host and an administrator may; another class's instructor,
another site's host and a trainee get a 404; a GET changes nothing; a POST saves
every row, and a refused one saves nothing and keeps what was chosen."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from courses.models import AttendanceChange, AttendanceRecord, ClassSession
from school import roles
from tests.courses.factories import ClassSessionFactory
from tests.courses.test_attendance import book_all, enrol_many
from tests.factories import PracticeSiteFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = AttendanceRecord.Status
HUGE_ID = 2**63


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def texts(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def session(training_class, practice_site, instructor):
    """A session at the practice site that ended an hour ago, taught by the
    instructor, with three confirmed bookings."""
    starts = timezone.now() - timedelta(hours=3)
    session = ClassSessionFactory(
        training_class=training_class,
        practice_site=practice_site,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        booking_closes_at=starts - timedelta(hours=1),
    )
    session.instructors.add(instructor)
    book_all(session, enrol_many(training_class, 3))
    return session


@pytest.fixture
def bookings(session):
    return list(session.bookings.order_by("confirmed_at", "pk"))


def url(session) -> str:
    return reverse("sites:attendance", args=[session.pk])


def history_url(session) -> str:
    return reverse("sites:attendance_history", args=[session.pk])


def marks_post(bookings, statuses, **extra) -> dict:
    return {
        **{f"mark-{b.pk}": s for b, s in zip(bookings, statuses, strict=True)},
        **extra,
    }


@pytest.mark.parametrize("who", ["instructor", "site_host", "school_admin"])
def test_the_sessions_instructor_its_sites_host_and_an_administrator_see_the_roster(
    request, who, session, bookings
):
    client = logged_in(request.getfixturevalue(who))

    response = client.get(url(session))

    assert response.status_code == 200
    html = response.content.decode()
    for booking in bookings:
        assert f'name="mark-{booking.pk}"' in html
        # Every row defaults to 出勤 before anyone is marked.
        assert f'name="mark-{booking.pk}" value="present" checked' in html
    assert "<fieldset" in html and "<legend" in html
    assert 'name="preset" value="present"' in html
    assert client.get(history_url(session)).status_code == 200
    assert not AttendanceRecord.objects.exists()


@pytest.mark.parametrize("who", ["instructor", "site_host", "school_admin"])
def test_each_allowed_role_saves_the_roster_in_one_post(
    request, who, session, bookings
):
    actor = request.getfixturevalue(who)
    client = logged_in(actor)

    response = client.post(
        url(session),
        marks_post(bookings, [Status.PRESENT, Status.LATE, Status.ABSENT]),
        follow=True,
    )

    assert response.redirect_chain == [(url(session), 302)]
    assert texts(response) == ["出勤已保存：新记录 3 人，修改 0 人。"]
    assert dict(AttendanceRecord.objects.values_list("booking", "status")) == {
        bookings[0].pk: Status.PRESENT,
        bookings[1].pk: Status.LATE,
        bookings[2].pk: Status.ABSENT,
    }
    assert set(AttendanceRecord.objects.values_list("marked_by", flat=True)) == {
        actor.pk
    }
    summary = response.context["summary"]
    assert (summary.present, summary.late, summary.excused, summary.absent) == (
        1,
        1,
        0,
        1,
    )
    assert "50%" in response.content.decode()  # (1 + 0.5 + 0) / 3


def test_masked_phones_for_the_instructor_whole_for_the_sites_host(
    session, bookings, instructor, site_host
):
    phone = bookings[0].trainee.phone
    assert phone not in logged_in(instructor).get(url(session)).content.decode()
    assert bookings[0].trainee.masked_phone in (
        logged_in(instructor).get(url(session)).content.decode()
    )
    assert phone in logged_in(site_host).get(url(session)).content.decode()


@pytest.fixture
def another_classes_instructor(course):
    from tests.courses.factories import TrainingClassFactory

    person = UserFactory(real_name="别班讲师", role=roles.INSTRUCTOR)
    other = TrainingClassFactory(course=course)
    other.instructors.add(person)
    ClassSessionFactory(training_class=other).instructors.add(person)
    return person


@pytest.fixture
def another_sites_host(community):
    person = UserFactory(real_name="别处站长", role=roles.SITE_HOST)
    PracticeSiteFactory(name="另一个教学点", org_unit=community).hosts.add(person)
    return person


@pytest.mark.parametrize(
    "who", ["another_classes_instructor", "another_sites_host", "trainee"]
)
def test_everyone_else_gets_a_404_and_changes_nothing(request, who, session, bookings):
    client = logged_in(request.getfixturevalue(who))

    assert client.get(url(session)).status_code == 404
    assert client.get(history_url(session)).status_code == 404
    response = client.post(url(session), marks_post(bookings, [Status.ABSENT] * 3))
    assert response.status_code == 404
    assert not AttendanceRecord.objects.exists()


def test_a_missing_session_is_a_404(school_admin):
    client = logged_in(school_admin)
    assert client.get(reverse("sites:attendance", args=[HUGE_ID])).status_code == 404


def test_a_visitor_is_sent_to_log_in(session, bookings):
    response = Client().post(url(session), marks_post(bookings, [Status.ABSENT] * 3))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not AttendanceRecord.objects.exists()


def test_a_get_changes_nothing_even_with_marks_in_the_query(
    session, bookings, instructor
):
    client = logged_in(instructor)
    query = marks_post(bookings, [Status.ABSENT] * 3)
    assert client.get(url(session), query).status_code == 200
    assert not AttendanceRecord.objects.exists()
    assert not AttendanceChange.objects.exists()


def test_all_present_without_javascript_sets_every_row_and_saves_nothing(
    session, bookings, instructor
):
    client = logged_in(instructor)
    client.post(url(session), marks_post(bookings, [Status.ABSENT] * 3))

    response = client.post(url(session), {"preset": "present"})

    assert response.status_code == 200
    html = response.content.decode()
    for booking in bookings:
        assert f'name="mark-{booking.pk}" value="present" checked' in html
    assert set(AttendanceRecord.objects.values_list("status", flat=True)) == {
        Status.ABSENT
    }


def test_a_correction_without_a_reason_comes_back_with_the_choices_kept(
    session, bookings, instructor
):
    client = logged_in(instructor)
    client.post(url(session), marks_post(bookings, [Status.ABSENT] * 3))

    response = client.post(
        url(session),
        marks_post(bookings, [Status.PRESENT, Status.ABSENT, Status.ABSENT]),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert '<a href="#attendance-reason">场次结束后修改出勤须填写原因。</a>' in html
    assert 'aria-invalid="true"' in html
    assert f'name="mark-{bookings[0].pk}" value="present" checked' in html
    assert AttendanceRecord.objects.get(booking=bookings[0]).status == Status.ABSENT

    response = client.post(
        url(session),
        marks_post(
            bookings,
            [Status.PRESENT, Status.ABSENT, Status.ABSENT],
            reason="看错了",
        ),
        follow=True,
    )
    assert texts(response) == ["出勤已保存：新记录 0 人，修改 1 人。"]
    history = logged_in(instructor).get(history_url(session)).content.decode()
    assert "看错了" in history and "缺勤 → 出勤" in history


def test_a_row_of_another_session_is_refused_and_nothing_saved(
    session, bookings, instructor, training_class
):
    other = ClassSessionFactory(training_class=training_class)
    (foreign,) = book_all(other, enrol_many(training_class, 1))
    data = marks_post(bookings, [Status.PRESENT] * 3)
    data[f"mark-{foreign.pk}"] = Status.ABSENT

    response = logged_in(instructor).post(url(session), data)

    assert response.status_code == 400
    assert "不属于本场次已预约学员" in response.content.decode()
    assert not AttendanceRecord.objects.exists()


@pytest.mark.parametrize("name", ["mark-abc", f"mark-{HUGE_ID}0"])
def test_a_malformed_row_is_refused_without_an_error_page(
    session, bookings, instructor, name
):
    data = marks_post(bookings, [Status.PRESENT] * 3)
    data[name] = Status.PRESENT
    response = logged_in(instructor).post(url(session), data)
    assert response.status_code == 400
    assert not AttendanceRecord.objects.exists()


def test_saving_an_unchanged_roster_says_so(session, bookings, instructor):
    client = logged_in(instructor)
    data = marks_post(bookings, [Status.PRESENT] * 3)
    client.post(url(session), data, follow=True)  # its message shown and gone
    response = client.post(url(session), data, follow=True)
    assert texts(response) == ["出勤没有变化，无需保存。"]
    assert AttendanceChange.objects.count() == 3


def test_a_cancelled_session_shows_no_form(session, instructor):
    ClassSession.objects.filter(pk=session.pk).update(
        cancelled_at=timezone.now(), cancel_reason="暴雨"
    )
    html = logged_in(instructor).get(url(session)).content.decode()
    assert "该场次已取消，不能点名" in html
    assert 'name="mark-' not in html


def test_the_site_roster_and_my_sessions_link_to_the_attendance_roster(
    session, instructor
):
    client = logged_in(instructor)
    assert (
        url(session)
        in client.get(reverse("sites:roster", args=[session.pk])).content.decode()
    )
    week = timezone.localdate(session.starts_at).isoformat()
    mine = client.get(reverse("sites:mine"), {"week": week}).content.decode()
    assert url(session) in mine
