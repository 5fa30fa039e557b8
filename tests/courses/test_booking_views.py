"""The trainee's booking pages: a class's sessions, 预约 and 取消预约, 我的预约 on
我的学习, and the calendar page. Each view once per role (the enrolled trainee,
another trainee: 404, a visitor: log in), and every refusal from the attacker's
side: not enrolled, twice, after the cut-off, someone else's booking, huge ids,
GET, no CSRF token."""

from datetime import timedelta

from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from courses import booking, sessions
from courses.models import (
    BookableSession,
    Booking,
    CalendarFeed,
    Enrollment,
)
from courses.selectors import my_bookings
from tests.courses.factories import ClassSessionFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = Booking.Status
HUGE = 2**63


def enrol(training_class, person):
    return Enrollment.objects.create(
        training_class=training_class, trainee=person, status=Enrollment.Status.ACTIVE
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def sessions_url(training_class) -> str:
    return reverse("courses:class_sessions", args=[training_class.pk])


def book_url(session) -> str:
    return reverse("courses:book_session", args=[session.pk])


def cancel_url(made) -> str:
    return reverse("courses:cancel_booking", args=[made.pk])


def past_cutoff(session) -> None:
    BookableSession.objects.filter(pk=session.pk).update(
        booking_closes_at=timezone.now() - timedelta(minutes=1)
    )


@pytest.fixture
def trainee_client(client, trainee, active_enrollment):
    client.force_login(trainee)
    return client


# --- the class's sessions page ----------------------------------------------------


def test_an_enrolled_trainee_sees_the_sessions_with_seats_and_a_book_button(
    trainee_client, training_class, class_session
):
    response = trainee_client.get(sessions_url(training_class))
    assert response.status_code == 200
    content = response.content.decode()
    [row] = response.context["rows"]
    assert row.pk == class_session.pk and row.can_book and not row.can_cancel
    assert row.seats_left == row.seats_left_for_me == 20
    assert "桃园社区党群服务中心" in content
    assert "共 20 个，剩余 20 个" in content
    assert f'action="{book_url(class_session)}"' in content


def test_a_booked_session_in_its_check_in_window_offers_self_check_in(
    trainee_client, trainee, training_class, class_session
):
    sessions.book_session(class_session, trainee=trainee, actor=trainee)
    check_in_url = reverse("checkin:self", args=[class_session.pk])

    [row] = trainee_client.get(sessions_url(training_class)).context["rows"]
    assert not row.can_check_in  # three days ahead

    now = timezone.now()
    BookableSession.objects.filter(pk=class_session.pk).update(
        booking_closes_at=now,
        starts_at=now + timedelta(minutes=10),
        ends_at=now + timedelta(hours=2),
    )
    response = trainee_client.get(sessions_url(training_class))
    [row] = response.context["rows"]
    assert row.can_check_in
    assert f'href="{check_in_url}"' in response.content.decode()


def test_another_trainee_gets_404_for_the_class_sessions(
    client, other_trainee, training_class, class_session
):
    client.force_login(other_trainee)
    assert client.get(sessions_url(training_class)).status_code == 404


def test_a_pending_or_withdrawn_enrolment_does_not_open_the_sessions(
    client, trainee, training_class, class_session
):
    enrollment = enrol(training_class, trainee)
    client.force_login(trainee)
    for status in (Enrollment.Status.PENDING, Enrollment.Status.WITHDRAWN):
        Enrollment.objects.filter(pk=enrollment.pk).update(status=status)
        assert client.get(sessions_url(training_class)).status_code == 404


def test_a_visitor_is_sent_to_log_in_for_the_sessions(client, training_class):
    response = client.get(sessions_url(training_class))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_huge_class_id_is_404(trainee_client):
    url = reverse("courses:class_sessions", args=[HUGE])
    assert trainee_client.get(url).status_code == 404


def test_the_meeting_link_of_an_online_session_shows_only_to_a_confirmed_booker(
    trainee_client, trainee, training_class
):
    online = ClassSessionFactory(training_class=training_class, seats=1)
    assert (
        online.meeting_url
        not in trainee_client.get(sessions_url(training_class)).content.decode()
    )
    sessions.book_session(online, trainee=trainee, actor=trainee)
    content = trainee_client.get(sessions_url(training_class)).content.decode()
    assert f'href="{online.meeting_url}"' in content


def test_seats_reserved_for_a_unit_are_not_counted_as_mine(
    trainee_client, training_class, class_session, school_admin
):
    from tests.factories import OrgUnitFactory

    other_unit = OrgUnitFactory()
    booking.reserve_seats(
        class_session, org_unit=other_unit, seats=5, actor=school_admin
    )
    response = trainee_client.get(sessions_url(training_class))
    [row] = response.context["rows"]
    assert (row.seats_left, row.seats_left_for_me) == (20, 15)
    assert "您可预约 15 个" in response.content.decode()


# --- booking -----------------------------------------------------------------------


def test_booking_takes_a_seat_and_says_so(
    trainee_client, trainee, training_class, class_session
):
    response = trainee_client.post(book_url(class_session))
    assert response.status_code == 302
    assert response["Location"] == sessions_url(training_class)
    made = Booking.objects.get(trainee=trainee)
    assert made.status == Status.CONFIRMED
    assert any("预约成功" in text for text in messages_of(response))
    page = trainee_client.get(sessions_url(training_class))
    [row] = page.context["rows"]
    assert row.booking_label == "已预约" and row.can_cancel and not row.can_book


def test_a_full_session_puts_the_trainee_on_the_waitlist_with_the_position(
    trainee_client, trainee, other_trainee, training_class, class_session
):
    BookableSession.objects.filter(pk=class_session.pk).update(seats=1)
    enrol(training_class, other_trainee)
    sessions.book_session(class_session, trainee=other_trainee, actor=other_trainee)
    page = trainee_client.get(sessions_url(training_class)).content.decode()
    assert "加入候补" in page
    response = trainee_client.post(book_url(class_session))
    assert any("候补第 1 位" in text for text in messages_of(response))
    assert Booking.objects.get(trainee=trainee).status == Status.WAITLISTED
    page = trainee_client.get(sessions_url(training_class)).content.decode()
    assert "候补第 1 位" in page and "退出候补" in page


def test_booking_twice_is_refused_with_a_message(
    trainee_client, trainee, class_session
):
    trainee_client.post(book_url(class_session))
    response = trainee_client.post(book_url(class_session))
    assert "已预约该场次，不能重复预约。" in messages_of(response)
    assert Booking.objects.filter(trainee=trainee).count() == 1


def test_booking_without_an_enrolment_is_404_and_books_nothing(
    client, other_trainee, class_session
):
    client.force_login(other_trainee)
    assert client.post(book_url(class_session)).status_code == 404
    assert not Booking.objects.exists()


def test_booking_after_the_cutoff_is_refused_and_books_nothing(
    trainee_client, class_session
):
    past_cutoff(class_session)
    response = trainee_client.post(book_url(class_session))
    assert any("预约已于" in text for text in messages_of(response))
    assert not Booking.objects.exists()


def test_booking_a_huge_or_missing_session_is_404(trainee_client):
    for pk in (HUGE, 999999):
        url = reverse("courses:book_session", args=[pk])
        assert trainee_client.post(url).status_code == 404


def test_get_on_book_changes_nothing(trainee_client, class_session):
    assert trainee_client.get(book_url(class_session)).status_code == 405
    assert not Booking.objects.exists()


def test_booking_without_the_csrf_token_is_refused(
    trainee, active_enrollment, class_session
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee)
    assert client.post(book_url(class_session)).status_code == 403
    assert not Booking.objects.exists()


def test_a_visitor_who_books_is_sent_to_log_in(client, class_session):
    response = client.post(book_url(class_session))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Booking.objects.exists()


# --- cancelling -------------------------------------------------------------------


def test_cancelling_frees_the_seat_and_promotes_the_waitlist(
    trainee_client, trainee, other_trainee, training_class, class_session
):
    BookableSession.objects.filter(pk=class_session.pk).update(seats=1)
    mine = sessions.book_session(class_session, trainee=trainee, actor=trainee)
    enrol(training_class, other_trainee)
    theirs = sessions.book_session(
        class_session, trainee=other_trainee, actor=other_trainee
    )
    response = trainee_client.post(cancel_url(mine))
    assert response["Location"] == sessions_url(training_class)
    assert "已取消预约，座位已让出。" in messages_of(response)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == Status.CANCELLED
    assert theirs.status == Status.CONFIRMED
    page = trainee_client.get(sessions_url(training_class))
    [row] = page.context["rows"]
    assert row.booking_label == "已取消"
    assert row.can_book and row.seats_left_for_me == 0  # full again: 加入候补


def test_cancelling_someone_elses_booking_is_404_and_changes_nothing(
    client, trainee, other_trainee, training_class, class_session
):
    enrol(training_class, other_trainee)
    theirs = sessions.book_session(
        class_session, trainee=other_trainee, actor=other_trainee
    )
    enrol(training_class, trainee)
    client.force_login(trainee)
    assert client.post(cancel_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.CONFIRMED


def test_cancelling_a_huge_booking_id_is_404(trainee_client):
    url = reverse("courses:cancel_booking", args=[HUGE])
    assert trainee_client.post(url).status_code == 404


def test_after_the_cutoff_the_cancel_button_gives_way_to_whom_to_contact(
    trainee_client, trainee, training_class, class_session
):
    made = sessions.book_session(class_session, trainee=trainee, actor=trainee)
    past_cutoff(class_session)
    content = trainee_client.get(sessions_url(training_class)).content.decode()
    assert f'action="{cancel_url(made)}"' not in content
    assert "如需取消，请联系教学点负责人 赵站长" in content

    response = trainee_client.post(cancel_url(made))  # forced past the page
    [text] = messages_of(response)
    assert "已过取消截止时间" in text and "赵站长" in text
    made.refresh_from_db()
    assert made.status == Status.CONFIRMED


def test_cancelling_twice_is_refused_with_a_message(
    trainee_client, trainee, class_session
):
    made = sessions.book_session(class_session, trainee=trainee, actor=trainee)
    trainee_client.post(cancel_url(made))
    response = trainee_client.post(cancel_url(made))
    assert "该预约已取消。" in messages_of(response)


def test_get_on_cancel_changes_nothing(trainee_client, trainee, class_session):
    made = sessions.book_session(class_session, trainee=trainee, actor=trainee)
    assert trainee_client.get(cancel_url(made)).status_code == 405
    made.refresh_from_db()
    assert made.status == Status.CONFIRMED


def test_cancelling_without_the_csrf_token_is_refused(
    trainee, active_enrollment, class_session
):
    made = sessions.book_session(class_session, trainee=trainee, actor=trainee)
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee)
    assert client.post(cancel_url(made)).status_code == 403
    made.refresh_from_db()
    assert made.status == Status.CONFIRMED


# --- 我的学习 -----------------------------------------------------------------------


def test_my_learning_links_each_enrolment_to_its_class_sessions(
    trainee_client, training_class, class_session
):
    content = trainee_client.get(reverse("courses:dashboard")).content.decode()
    assert f'href="{sessions_url(training_class)}"' in content
    assert "实践场次预约" in content


def test_my_bookings_show_status_place_position_and_the_news(
    trainee_client, trainee, other_trainee, training_class, school_admin
):
    full = ClassSessionFactory(training_class=training_class, seats=1, title="满场")
    enrol(training_class, other_trainee)
    theirs = sessions.book_session(full, trainee=other_trainee, actor=other_trainee)
    sessions.book_session(full, trainee=trainee, actor=trainee)  # waitlisted
    soon = ClassSessionFactory(
        training_class=training_class,
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=2),
        booking_closes_at=timezone.now() + timedelta(hours=12),
        title="将取消",
    )
    sessions.book_session(soon, trainee=trainee, actor=trainee)
    booking.cancel_session(soon, actor=school_admin, reason="场地维修")

    content = trainee_client.get(reverse("courses:dashboard")).content.decode()
    assert "我的预约" in content
    assert "候补第 1 位" in content and "场次已取消：场地维修" in content
    assert f'href="{sessions_url(training_class)}"' in content

    sessions.cancel_my_booking(theirs, trainee=other_trainee)
    content = trainee_client.get(reverse("courses:dashboard")).content.decode()
    assert "候补已转为预约成功" in content


def test_my_bookings_count_waitlist_positions_as_the_engine_does(
    trainee, training_class
):
    session = ClassSessionFactory(training_class=training_class, seats=1)
    people = [UserFactory() for _ in range(4)]
    for person in people:
        enrol(training_class, person)
    made = [
        sessions.book_session(session, trainee=person, actor=person)
        for person in people
    ]
    sessions.cancel_my_booking(made[1], trainee=people[1])  # leaves the line
    for person, mine in zip(people[2:], made[2:], strict=True):
        [row] = my_bookings(person)
        mine.refresh_from_db()
        assert row.status_label == f"候补第 {booking.waitlist_position(mine)} 位"


def test_my_learning_costs_the_same_queries_for_1_and_5_bookings(
    trainee_client, trainee, training_class
):
    def queries() -> int:
        trainee_client.get(reverse("courses:dashboard"))
        with CaptureQueriesContext(connection) as captured:
            trainee_client.get(reverse("courses:dashboard"))
        return len(captured)

    def add_session(seats=20):
        session = ClassSessionFactory(training_class=training_class, seats=seats)
        return sessions.book_session(session, trainee=trainee, actor=trainee)

    add_session()
    one = queries()
    for _ in range(3):
        add_session()
    other = UserFactory()
    enrol(training_class, other)
    full = ClassSessionFactory(training_class=training_class, seats=1)
    sessions.book_session(full, trainee=other, actor=other)
    sessions.book_session(full, trainee=trainee, actor=trainee)  # waitlisted
    assert Booking.objects.filter(trainee=trainee).count() == 5
    assert queries() == one


# --- the calendar page --------------------------------------------------------------


def test_the_calendar_page_creates_no_feed_on_get(trainee_client, trainee):
    response = trainee_client.get(reverse("courses:calendar"))
    assert response.status_code == 200
    assert "生成订阅地址" in response.content.decode()
    assert not CalendarFeed.objects.exists()


def test_generating_then_resetting_the_feed_address(trainee_client, trainee):
    trainee_client.post(reverse("courses:reset_calendar"))
    feed = CalendarFeed.objects.get(owner=trainee)
    content = trainee_client.get(reverse("courses:calendar")).content.decode()
    assert f"/learning/calendar/{feed.token}.ics" in content
    old = reverse("courses:calendar_feed", args=[feed.token])
    assert trainee_client.get(old).status_code == 200

    response = trainee_client.post(reverse("courses:reset_calendar"))
    assert any("旧地址已失效" in text for text in messages_of(response))
    feed.refresh_from_db()
    assert reverse("courses:calendar_feed", args=[feed.token]) != old
    assert Client().get(old).status_code == 404
    assert (
        Client().get(reverse("courses:calendar_feed", args=[feed.token])).status_code
        == 200
    )


def test_the_calendar_page_asks_a_visitor_to_log_in(client):
    response = client.get(reverse("courses:calendar"))
    assert response.status_code == 302
    response = client.post(reverse("courses:reset_calendar"))
    assert response.status_code == 302
    assert not CalendarFeed.objects.exists()


def test_resetting_the_feed_needs_post_and_the_csrf_token(trainee):
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee)
    assert client.get(reverse("courses:reset_calendar")).status_code == 405
    assert client.post(reverse("courses:reset_calendar")).status_code == 403
    assert not CalendarFeed.objects.exists()
