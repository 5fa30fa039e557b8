"""What the app changes: book (class session or community activity), cancel,
self check-in and redeem, each through the web's service and access helper, so
the same seats, audience, balance and 404-for-not-yours rules hold."""

from datetime import timedelta

from django.utils import timezone

import pytest

from courses import checkin
from courses.models import AttendanceRecord, BookableSession, Booking
from school.ids import MAX_ID
from school.models import Level, User
from tests.api.conftest import enrol, token_client
from tests.volunteers.test_rewards_support import credit
from volunteers import ledger
from volunteers.models import Activity, Redemption, Reward

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": ["未找到，或您无权查看。"]}


def starts_soon(session) -> None:
    """The session starts in five minutes (its self check-in window is open)."""
    starts_at = timezone.now() + timedelta(minutes=5)
    BookableSession.objects.filter(pk=session.pk).update(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        booking_closes_at=starts_at - timedelta(days=1),
    )
    session.refresh_from_db()


# --- booking -------------------------------------------------------------------------


def test_an_enrolled_trainee_books_a_class_session(
    api, trainee, training_class, class_session
):
    enrol(training_class, trainee)
    response = api.post(f"/sessions/{class_session.pk}/book")
    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["status"]) == ("class", "confirmed")
    made = Booking.objects.get()
    assert (made.pk, made.trainee, made.status) == (body["id"], trainee, "confirmed")


def test_a_class_session_of_a_class_i_am_not_in_is_404(api, class_session):
    response = api.post(f"/sessions/{class_session.pk}/book")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert not Booking.objects.exists()


def test_booking_twice_is_a_conflict(api, trainee, training_class, class_session):
    enrol(training_class, trainee)
    assert api.post(f"/sessions/{class_session.pk}/book").status_code == 201
    again = api.post(f"/sessions/{class_session.pk}/book")
    assert again.status_code == 409
    assert again.json() == {"detail": ["已预约该场次，不能重复预约。"]}
    assert Booking.objects.count() == 1


def test_one_seat_two_people_one_confirmed_one_waitlisted(
    trainee, other_trainee, training_class, class_session
):
    BookableSession.objects.filter(pk=class_session.pk).update(seats=1)
    enrol(training_class, trainee)
    enrol(training_class, other_trainee)
    first = token_client(trainee).post(f"/sessions/{class_session.pk}/book").json()
    second = token_client(other_trainee).post(f"/sessions/{class_session.pk}/book")
    assert second.status_code == 201
    assert first["status"] == "confirmed"
    assert second.json()["status"] == "waitlisted"
    assert second.json()["waitlist_position"] == 1
    class_session.refresh_from_db()
    assert class_session.confirmed_count == 1


def test_a_resident_signs_up_for_an_approved_activity(api, trainee, night_session):
    response = api.post(f"/sessions/{night_session.pk}/book")
    assert response.status_code == 201
    assert response.json()["kind"] == "activity"
    assert Booking.objects.get().session_id == night_session.pk


def test_the_activitys_audience_rule_refuses_with_its_reason(
    api, approved_night_school, night_session
):
    Activity.objects.filter(pk=approved_night_school.pk).update(
        audience=Activity.Audience.LEVEL, audience_level=Level.VOLUNTEER
    )
    response = api.post(f"/sessions/{night_session.pk}/book")
    assert response.status_code == 400
    assert response.json() == {"detail": ["本活动仅面向志愿者及以上。"]}
    assert not Booking.objects.exists()


def test_a_pending_activity_is_404_to_a_resident(api, night_school):
    session = night_school.sessions.get()
    assert api.post(f"/sessions/{session.pk}/book").status_code == 404
    assert not Booking.objects.exists()


@pytest.mark.parametrize("pk", [0, 999999, MAX_ID, MAX_ID + 1, 10**30])
def test_missing_and_impossible_ids_are_404_with_the_same_body(api, pk):
    for response in (
        api.post(f"/sessions/{pk}/book"),
        api.post(f"/bookings/{pk}/cancel"),
        api.post(f"/sessions/{pk}/check-in", {"code": "123456"}),
        api.post(f"/rewards/{pk}/redeem"),
        api.get(f"/me/certificates/{pk}/pdf"),
    ):
        assert (response.status_code, response.json()) == (404, NOT_FOUND)


# --- cancelling ----------------------------------------------------------------------


def test_i_cancel_my_own_booking_and_the_seat_goes_to_the_waitlist(
    trainee, other_trainee, training_class, class_session
):
    BookableSession.objects.filter(pk=class_session.pk).update(seats=1)
    enrol(training_class, trainee)
    enrol(training_class, other_trainee)
    mine, theirs = token_client(trainee), token_client(other_trainee)
    booked = mine.post(f"/sessions/{class_session.pk}/book").json()
    waiting = theirs.post(f"/sessions/{class_session.pk}/book").json()
    response = mine.post(f"/bookings/{booked['id']}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert Booking.objects.get(pk=waiting["id"]).status == "confirmed"
    again = mine.post(f"/bookings/{booked['id']}/cancel")
    assert (again.status_code, again.json()) == (409, {"detail": ["该预约已取消。"]})


def test_someone_elses_booking_is_404_and_stays(
    api, other_trainee, training_class, class_session, night_session
):
    enrol(training_class, other_trainee)
    theirs = token_client(other_trainee)
    class_booking = theirs.post(f"/sessions/{class_session.pk}/book").json()["id"]
    activity_booking = theirs.post(f"/sessions/{night_session.pk}/book").json()["id"]
    for pk in (class_booking, activity_booking):
        response = api.post(f"/bookings/{pk}/cancel")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert set(Booking.objects.values_list("status", flat=True)) == {"confirmed"}


def test_i_cancel_my_activity_sign_up(api, night_session):
    made = api.post(f"/sessions/{night_session.pk}/book").json()
    response = api.post(f"/bookings/{made['id']}/cancel")
    assert response.status_code == 200
    assert Booking.objects.get().status == "cancelled"


def test_after_the_cutoff_cancelling_says_whom_to_contact(
    api, trainee, training_class, class_session
):
    enrol(training_class, trainee)
    made = api.post(f"/sessions/{class_session.pk}/book").json()
    starts_soon(class_session)
    response = api.post(f"/bookings/{made['id']}/cancel")
    assert response.status_code == 400
    assert "请联系" in response.json()["detail"][0]
    assert Booking.objects.get().status == "confirmed"


# --- self check-in -------------------------------------------------------------------


def test_a_booked_trainee_checks_in_with_the_rooms_code(
    api, trainee, training_class, class_session
):
    enrol(training_class, trainee)
    api.post(f"/sessions/{class_session.pk}/book")
    starts_soon(class_session)
    code = checkin.session_code(class_session)
    response = api.post(f"/sessions/{class_session.pk}/check-in", {"code": code})
    assert response.status_code == 200
    assert response.json() == {
        "status": "present",
        "status_label": "出勤",
        "already": False,
    }
    assert AttendanceRecord.objects.get().trainee == trainee
    again = api.post(f"/sessions/{class_session.pk}/check-in", {"code": code})
    assert again.json()["already"] is True


def test_checking_in_needs_a_booking_and_the_right_code(
    api, trainee, training_class, class_session
):
    enrol(training_class, trainee)
    starts_soon(class_session)
    code = checkin.session_code(class_session)
    unbooked = api.post(f"/sessions/{class_session.pk}/check-in", {"code": code})
    assert unbooked.status_code == 400
    assert "没有预约本场次" in unbooked.json()["detail"][0]
    missing = api.post(f"/sessions/{class_session.pk}/check-in", {})
    assert missing.status_code == 400
    assert missing.json()["detail"][0].startswith("请求内容不正确")
    assert not AttendanceRecord.objects.exists()


def test_an_activity_i_did_not_sign_up_for_is_404_for_check_in(api, night_session):
    starts_soon(night_session)
    code = checkin.session_code(night_session)
    response = api.post(f"/sessions/{night_session.pk}/check-in", {"code": code})
    assert response.status_code == 404
    assert not AttendanceRecord.objects.exists()


def test_a_signed_up_resident_checks_in_to_the_activity(api, night_session):
    api.post(f"/sessions/{night_session.pk}/book")
    starts_soon(night_session)
    code = checkin.session_code(night_session)
    response = api.post(f"/sessions/{night_session.pk}/check-in", {"code": code})
    assert response.status_code == 200
    assert AttendanceRecord.objects.get().session_id == night_session.pk


# --- redeeming -----------------------------------------------------------------------


@pytest.fixture
def volunteer_api(trainee):
    User.objects.filter(pk=trainee.pk).update(level=Level.VOLUNTEER)
    return token_client(trainee)


def test_redeeming_spends_points_and_returns_the_code(volunteer_api, trainee, reward):
    credit(trainee, 100)
    response = volunteer_api.post(f"/rewards/{reward.pk}/redeem")
    assert response.status_code == 201
    body = response.json()
    redemption = Redemption.objects.get()
    assert (body["code"], body["points"], body["balance"]) == (redemption.code, 30, 70)
    assert ledger.balance_of(trainee).balance == 70
    assert Reward.objects.get(pk=reward.pk).stock == 4


def test_redeeming_beyond_the_balance_is_refused_and_changes_nothing(
    volunteer_api, trainee, reward
):
    credit(trainee, 20)
    response = volunteer_api.post(f"/rewards/{reward.pk}/redeem")
    assert response.status_code == 400
    assert response.json() == {"detail": ["还差 10 积分。"]}
    assert ledger.balance_of(trainee).balance == 20
    assert Reward.objects.get(pk=reward.pk).stock == 5
    assert not Redemption.objects.exists()


def test_an_empty_shelf_is_a_conflict(volunteer_api, trainee, reward):
    Reward.objects.filter(pk=reward.pk).update(stock=0)
    credit(trainee, 100)
    response = volunteer_api.post(f"/rewards/{reward.pk}/redeem")
    assert (response.status_code, response.json()) == (409, {"detail": ["已兑完。"]})
    assert ledger.balance_of(trainee).balance == 100


def test_a_withdrawn_reward_is_404(volunteer_api, trainee, reward):
    Reward.objects.filter(pk=reward.pk).update(is_active=False)
    credit(trainee, 100)
    assert volunteer_api.post(f"/rewards/{reward.pk}/redeem").status_code == 404
    assert not Redemption.objects.exists()
