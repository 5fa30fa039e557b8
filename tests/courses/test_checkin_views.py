"""Check-in pages through the client: the card (a GET writes nothing; a reset by
POST retires the old code), the staff scan page and code screen (the session's
instructors, its site's hosts and administrators; 404 for anyone else), and the
trainee's self check-in (POST only marks; a GET changes nothing). The card code
never logs anyone in."""

from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from courses import checkin, sessions
from courses.attendance import record_attendance
from courses.models import (
    AttendanceRecord,
    BookableSession,
    Booking,
    CheckInCard,
    Enrollment,
)
from school import roles
from tests.courses.factories import ClassSessionFactory, TrainingClassFactory
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

Status = AttendanceRecord.Status


def texts(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def move(session, *, starts_in: timedelta) -> None:
    starts_at = timezone.now() + starts_in
    BookableSession.objects.filter(pk=session.pk).update(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        booking_closes_at=starts_at - timedelta(days=1),
    )
    session.refresh_from_db()


@pytest.fixture
def booked(class_session, active_enrollment, trainee):
    made = sessions.book_session(class_session, trainee=trainee, actor=trainee)
    move(class_session, starts_in=timedelta(minutes=5))
    return made


def writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]


# --- the card -------------------------------------------------------------------------


def test_the_card_page_shows_the_code_and_writes_nothing(trainee):
    client = client_for(trainee)
    client.get(reverse("courses:dashboard"))  # the session's own writes, first
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("checkin:card"))
    assert response.status_code == 200
    assert writes(queries) == []
    assert not CheckInCard.objects.exists()
    page = response.content.decode()
    assert checkin.group_digits(checkin.card_code(trainee)) in page
    assert "<svg" in page and 'role="img"' in page
    assert reverse("checkin:card_reset") in page


def test_the_card_page_asks_a_visitor_to_log_in():
    response = Client().get(reverse("checkin:card"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_reset_by_post_retires_the_old_code(trainee):
    client = client_for(trainee)
    old = checkin.card_code(trainee)
    response = client.post(reverse("checkin:card_reset"), follow=True)
    assert "旧卡已作废" in " ".join(texts(response))
    assert CheckInCard.objects.get(person=trainee).version == 1
    assert checkin.person_for_card_code(old) is None
    assert checkin.group_digits(checkin.card_code(trainee)) in response.content.decode()


def test_a_get_of_the_reset_url_changes_nothing(trainee):
    response = client_for(trainee).get(reverse("checkin:card_reset"))
    assert response.status_code == 405
    assert not CheckInCard.objects.exists()


def test_the_card_code_does_not_log_anyone_in(trainee):
    client = Client()
    code = checkin.card_code(trainee)
    for password in (code, checkin.group_digits(code)):
        response = client.post(
            "/accounts/login/", {"username": trainee.phone, "password": password}
        )
        assert response.status_code in (200, 400)
        assert "_auth_user_id" not in client.session
    assert client.get(reverse("checkin:card")).status_code == 302
    # The control: the same form with the real password does log in.
    client.post(
        "/accounts/login/", {"username": trainee.phone, "password": TEST_PASSWORD}
    )
    assert client.session["_auth_user_id"] == str(trainee.pk)


# --- scanning -------------------------------------------------------------------------


def test_the_scan_page_has_the_typed_code_form_and_the_count(booked, instructor):
    response = client_for(instructor).get(
        reverse("checkin:scan", args=[booked.session_id])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="code"' in page
    assert "vendor/jsqr/jsQR.js" in page
    assert response.context["attended"] == 0


@pytest.mark.parametrize("who", ["instructor", "site_host", "school_admin"])
def test_staff_of_the_session_scan_a_typed_card_code(booked, trainee, who, request):
    staff = request.getfixturevalue(who)
    client = client_for(staff)
    url = reverse("checkin:scan", args=[booked.session_id])
    response = client.post(
        url, {"code": checkin.group_digits(checkin.card_code(trainee))}, follow=True
    )
    record = AttendanceRecord.objects.get(trainee=trainee)
    assert record.status == Status.PRESENT
    assert record.marked_by == staff
    shown = " ".join(texts(response))
    assert trainee.real_name in shown and trainee.masked_phone in shown
    assert "出勤" in shown
    assert response.context["attended"] == 1


def test_another_classes_instructor_gets_a_404_and_marks_nothing(
    booked, trainee, course
):
    stranger = UserFactory(role=roles.INSTRUCTOR)
    other_session = ClassSessionFactory(
        training_class=TrainingClassFactory(course=course)
    )
    other_session.instructors.add(stranger)
    client = client_for(stranger)
    url = reverse("checkin:scan", args=[booked.session_id])
    assert client.get(url).status_code == 404
    response = client.post(url, {"code": checkin.card_code(trainee)})
    assert response.status_code == 404
    assert (
        client.get(reverse("checkin:code", args=[booked.session_id])).status_code == 404
    )
    assert (
        client.get(reverse("checkin:code_json", args=[booked.session_id])).status_code
        == 404
    )
    assert not AttendanceRecord.objects.exists()


def test_a_trainee_cannot_open_the_scan_page(booked, trainee):
    client = client_for(trainee)
    url = reverse("checkin:scan", args=[booked.session_id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"code": checkin.card_code(trainee)}).status_code == 404
    assert not AttendanceRecord.objects.exists()


def test_a_wrong_code_says_so_and_marks_nothing(booked, instructor):
    response = client_for(instructor).post(
        reverse("checkin:scan", args=[booked.session_id]),
        {"code": "1234 5678"},
        follow=True,
    )
    assert any("签到码无效" in text for text in texts(response))
    assert not AttendanceRecord.objects.exists()


def test_an_empty_code_says_so(booked, instructor):
    response = client_for(instructor).post(
        reverse("checkin:scan", args=[booked.session_id]), {"code": ""}, follow=True
    )
    assert any("请输入签到卡上的数字" in text for text in texts(response))


def test_a_scan_after_the_grace_is_late(booked, trainee, instructor):
    move(booked.session, starts_in=-timedelta(minutes=12))
    response = client_for(instructor).post(
        reverse("checkin:scan", args=[booked.session_id]),
        {"code": checkin.card_code(trainee)},
        follow=True,
    )
    assert AttendanceRecord.objects.get(trainee=trainee).status == Status.LATE
    assert any("迟到" in text for text in texts(response))


def test_several_scans_in_a_row_count_up(booked, trainee, instructor, training_class):
    second = UserFactory()
    Enrollment.objects.create(
        training_class=training_class, trainee=second, status=Enrollment.Status.ACTIVE
    )
    client = client_for(instructor)
    url = reverse("checkin:scan", args=[booked.session_id])
    client.post(url, {"code": checkin.card_code(trainee)})
    response = client.post(url, {"code": checkin.card_code(second)}, follow=True)
    assert any("现场加入" in text for text in texts(response))
    assert response.context["attended"] == 2
    assert Booking.objects.get(trainee=second).source == Booking.Source.WALK_IN


def test_a_scan_of_someone_not_in_the_class_is_refused(
    booked, other_trainee, instructor
):
    response = client_for(instructor).post(
        reverse("checkin:scan", args=[booked.session_id]),
        {"code": checkin.card_code(other_trainee)},
        follow=True,
    )
    assert any("没有报名" in text for text in texts(response))
    assert not AttendanceRecord.objects.filter(trainee=other_trainee).exists()
    assert not Booking.objects.filter(trainee=other_trainee).exists()


# --- the code screen -------------------------------------------------------------------


def test_the_code_screen_shows_the_current_code(booked, instructor):
    client = client_for(instructor)
    response = client.get(reverse("checkin:code", args=[booked.session_id]))
    assert response.status_code == 200
    assert response.context["code"] == checkin.session_code(booked.session)
    state = client.get(reverse("checkin:code_json", args=[booked.session_id])).json()
    assert state["code"] == checkin.session_code(booked.session)
    assert state["in_window"] is True
    assert 1 <= state["seconds_left"] <= checkin.CODE_PERIOD


def test_a_trainee_cannot_see_the_code(booked, trainee):
    client = client_for(trainee)
    assert (
        client.get(reverse("checkin:code", args=[booked.session_id])).status_code == 404
    )
    assert (
        client.get(reverse("checkin:code_json", args=[booked.session_id])).status_code
        == 404
    )


# --- self check-in ---------------------------------------------------------------------


def test_a_booked_trainee_checks_in_by_post(booked, trainee):
    client = client_for(trainee)
    url = reverse("checkin:self", args=[booked.session_id])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"code": checkin.session_code(booked.session)}, follow=True
    )
    assert any("签到成功" in text for text in texts(response))
    record = AttendanceRecord.objects.get(trainee=trainee)
    assert record.status == Status.PRESENT
    assert record.method == AttendanceRecord.Method.SELF
    assert response.context["checked_in"]


def test_a_get_with_the_code_marks_nothing(booked, trainee):
    client = client_for(trainee)
    url = reverse("checkin:self", args=[booked.session_id])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"code": checkin.session_code(booked.session)})
    assert response.status_code == 200
    assert not AttendanceRecord.objects.exists()
    assert [sql for sql in writes(queries) if "attendance" in sql.lower()] == []


def test_self_check_in_outside_the_window_is_refused_with_the_window(booked, trainee):
    move(booked.session, starts_in=timedelta(minutes=45))
    client = client_for(trainee)
    url = reverse("checkin:self", args=[booked.session_id])
    assert "不在签到时间内" in client.get(url).content.decode()
    response = client.post(url, {"code": checkin.session_code(booked.session)})
    assert response.status_code == 400
    assert "不在签到时间内" in response.content.decode()
    assert not AttendanceRecord.objects.exists()


def test_a_stale_code_is_refused(booked, trainee):
    stale = checkin.session_code(
        booked.session, timezone.now() - timedelta(seconds=125)
    )
    response = client_for(trainee).post(
        reverse("checkin:self", args=[booked.session_id]), {"code": stale}
    )
    assert response.status_code == 400
    assert "不正确或已过期" in response.content.decode()
    assert not AttendanceRecord.objects.exists()


def test_an_unbooked_session_is_refused(class_session, active_enrollment, trainee):
    move(class_session, starts_in=timedelta(minutes=5))
    client = client_for(trainee)
    url = reverse("checkin:self", args=[class_session.pk])
    assert "没有预约" in client.get(url).content.decode()
    response = client.post(url, {"code": checkin.session_code(class_session)})
    assert response.status_code == 400
    assert "没有预约" in response.content.decode()
    assert not AttendanceRecord.objects.exists()


def test_someone_outside_the_class_gets_a_404(booked, other_trainee):
    client = client_for(other_trainee)
    url = reverse("checkin:self", args=[booked.session_id])
    assert client.get(url).status_code == 404
    response = client.post(url, {"code": checkin.session_code(booked.session)})
    assert response.status_code == 404


def test_the_sixth_try_is_refused_even_with_the_right_code(booked, trainee):
    client = client_for(trainee)
    url = reverse("checkin:self", args=[booked.session_id])
    right = checkin.session_code(booked.session)
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    for _ in range(checkin.SELF_TRIES):
        assert client.post(url, {"code": wrong}).status_code == 400
    response = client.post(url, {"code": right})
    assert "次数过多" in response.content.decode()
    assert not AttendanceRecord.objects.exists()


# --- 我的学习 -----------------------------------------------------------------------


def _past_session(training_class, trainee, *, status=None, days_ago=1):
    """A session of the class the trainee booked, held `days_ago` days ago, marked
    `status` (or not marked)."""
    session = ClassSessionFactory(training_class=training_class)
    sessions.book_session(session, trainee=trainee, actor=trainee)
    move(session, starts_in=-timedelta(days=days_ago))
    if status:
        record_attendance(
            session,
            trainee=trainee,
            status=status,
            actor=None,
            method=AttendanceRecord.Method.ROSTER,
        )
    return session


def test_my_learning_shows_the_rate_each_past_mark_and_the_card(
    training_class, active_enrollment, trainee
):
    _past_session(training_class, trainee, status=Status.PRESENT, days_ago=3)
    _past_session(training_class, trainee, status=Status.ABSENT, days_ago=2)
    _past_session(training_class, trainee, days_ago=1)
    response = client_for(trainee).get(reverse("courses:dashboard"))
    page = response.content.decode()
    assert "我的出勤" in page
    assert "出勤率 50%" in page
    for label in ("出勤", "缺勤", "未记录"):
        assert f">{label}</span>" in page
    assert reverse("checkin:card") in page


def test_my_learning_offers_check_in_for_a_booked_session_in_its_window(
    booked, trainee
):
    client = client_for(trainee)
    url = reverse("checkin:self", args=[booked.session_id])
    assert url in client.get(reverse("courses:dashboard")).content.decode()
    client.post(url, {"code": checkin.session_code(booked.session)})
    assert url not in client.get(reverse("courses:dashboard")).content.decode()


def test_no_check_in_button_before_the_window(booked, trainee):
    move(booked.session, starts_in=timedelta(minutes=45))
    page = client_for(trainee).get(reverse("courses:dashboard")).content.decode()
    assert reverse("checkin:self", args=[booked.session_id]) not in page


def _dashboard_queries(client) -> int:
    client.get(reverse("courses:dashboard"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("courses:dashboard")).status_code == 200
    return len(queries)


def test_my_learning_costs_the_same_queries_with_more_classes_and_marks(
    course, trainee
):
    def enrol_with_marks():
        training_class = TrainingClassFactory(course=course)
        Enrollment.objects.create(
            training_class=training_class,
            trainee=trainee,
            status=Enrollment.Status.ACTIVE,
        )
        _past_session(training_class, trainee, status=Status.LATE)
        _past_session(training_class, trainee, days_ago=2)

    client = client_for(trainee)
    enrol_with_marks()
    one = _dashboard_queries(client)
    for _ in range(4):
        enrol_with_marks()
    assert _dashboard_queries(client) == one
