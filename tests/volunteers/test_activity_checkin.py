"""Checking residents in to a community activity's session, through the client:
the organiser's (and space staff's) roster, card scanning with walk-ins by the
activity's audience rule, the rotating code, the resident's self check-in, and
recording helpers. Strangers and other residents get 404."""

from datetime import timedelta
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from courses import checkin
from courses.models import AttendanceRecord, BookableSession, Booking
from school.models import User
from tests.factories import OrgUnitFactory, UserFactory
from volunteers import activities
from volunteers.models import Activity, ServiceRecord

pytestmark = pytest.mark.django_db

Status = AttendanceRecord.Status


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def texts(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def move(session, *, starts_in: timedelta) -> None:
    starts_at = timezone.now() + starts_in
    BookableSession.objects.filter(pk=session.pk).update(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        booking_closes_at=starts_at - timedelta(days=1),
    )
    session.refresh_from_db()


@pytest.fixture
def signed_up(night_session, trainee):
    """张三 signed up; the session starts in five minutes."""
    made = activities.sign_up(night_session, person=trainee)
    move(night_session, starts_in=timedelta(minutes=5))
    return made


def url(name, session) -> str:
    return reverse(f"activity_checkin:{name}", args=[session.pk])


# --- who may open the pages ---------------------------------------------------------


@pytest.mark.parametrize("name", ["roster", "scan", "code", "code_json", "helpers"])
def test_the_run_pages_are_the_organisers_and_staffs_and_404_for_others(
    name, signed_up, night_session, manager, space_staff, trainee, other_trainee
):
    assert client_for(manager).get(url(name, night_session)).status_code == 200
    assert client_for(space_staff).get(url(name, night_session)).status_code == 200
    stranger = UserFactory(real_name="陌生人")
    for outsider in (stranger, trainee, other_trainee):
        assert client_for(outsider).get(url(name, night_session)).status_code == 404


def test_a_pending_activitys_session_is_404_even_for_its_organiser(
    night_school, manager
):
    session = night_school.sessions.get()
    assert client_for(manager).get(url("roster", session)).status_code == 404
    assert client_for(manager).get(url("scan", session)).status_code == 404


def test_a_missing_session_is_404():
    user = UserFactory()
    response = client_for(user).get(reverse("activity_checkin:roster", args=[999999]))
    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(night_session):
    response = Client().get(url("roster", night_session))
    assert response.status_code == 302


# --- the roster ---------------------------------------------------------------------


def test_the_organiser_saves_the_roster_and_sees_masked_phones(
    signed_up, night_session, manager, trainee
):
    client = client_for(manager)
    page = client.get(url("roster", night_session))
    assert trainee.real_name in page.content.decode()
    assert trainee.masked_phone in page.content.decode()
    assert trainee.phone not in page.content.decode()
    assert "全部出勤" in page.content.decode()

    response = client.post(
        url("roster", night_session), {f"mark-{signed_up.pk}": Status.LATE}
    )

    assert response.status_code == 302
    record = AttendanceRecord.objects.get(session_id=night_session.pk)
    assert (record.trainee, record.status) == (trainee, Status.LATE)


def test_the_space_staff_see_whole_phones(signed_up, night_session, space_staff):
    page = client_for(space_staff).get(url("roster", night_session))
    assert signed_up.trainee.phone in page.content.decode()


def test_another_resident_cannot_save_the_roster(
    signed_up, night_session, other_trainee
):
    response = client_for(other_trainee).post(
        url("roster", night_session), {f"mark-{signed_up.pk}": Status.PRESENT}
    )
    assert response.status_code == 404
    assert not AttendanceRecord.objects.exists()


def test_a_correction_after_the_session_needs_a_reason(
    signed_up, night_session, manager
):
    client = client_for(manager)
    client.post(url("roster", night_session), {f"mark-{signed_up.pk}": "present"})
    move(night_session, starts_in=-timedelta(hours=3))

    refused = client.post(
        url("roster", night_session), {f"mark-{signed_up.pk}": "absent"}
    )
    assert refused.status_code == 400
    assert AttendanceRecord.objects.get().status == Status.PRESENT

    client.post(
        url("roster", night_session),
        {f"mark-{signed_up.pk}": "absent", "reason": "登记错了"},
    )
    assert AttendanceRecord.objects.get().status == Status.ABSENT


# --- scanning -------------------------------------------------------------------------


def test_scanning_a_signed_up_resident_marks_present(
    signed_up, night_session, manager, trainee
):
    response = client_for(manager).post(
        url("scan", night_session), {"code": checkin.card_code(trainee)}, follow=True
    )
    assert "出勤" in texts(response)[0]
    record = AttendanceRecord.objects.get(session_id=night_session.pk)
    assert (record.trainee, record.status) == (trainee, Status.PRESENT)


def test_scanning_after_the_grace_marks_late(
    signed_up, night_session, space_staff, trainee
):
    move(night_session, starts_in=-timedelta(minutes=20))
    client_for(space_staff).post(
        url("scan", night_session), {"code": checkin.card_code(trainee)}
    )
    assert AttendanceRecord.objects.get().status == Status.LATE


def test_a_resident_in_the_audience_who_did_not_sign_up_walks_in(
    night_session, manager, other_trainee
):
    move(night_session, starts_in=timedelta(minutes=5))
    response = client_for(manager).post(
        url("scan", night_session),
        {"code": checkin.card_code(other_trainee)},
        follow=True,
    )
    assert "现场加入" in texts(response)[0]
    booking = Booking.objects.get(session_id=night_session.pk, trainee=other_trainee)
    assert booking.source == Booking.Source.WALK_IN
    assert AttendanceRecord.objects.get(trainee=other_trainee).status == "present"


def test_a_resident_outside_the_audience_is_refused(
    night_session, approved_night_school, manager, other_trainee
):
    elsewhere = OrgUnitFactory(name="杏林社区")
    Activity.objects.filter(pk=approved_night_school.pk).update(
        audience=Activity.Audience.COMMUNITY, audience_unit=elsewhere
    )
    move(night_session, starts_in=timedelta(minutes=5))

    response = client_for(manager).post(
        url("scan", night_session),
        {"code": checkin.card_code(other_trainee)},
        follow=True,
    )

    assert "仅面向杏林社区居民" in texts(response)[0]
    assert not Booking.objects.filter(session_id=night_session.pk).exists()
    assert not AttendanceRecord.objects.exists()


def test_no_walk_in_when_the_session_is_full(
    signed_up, night_session, manager, other_trainee
):
    BookableSession.objects.filter(pk=night_session.pk).update(seats=1)
    response = client_for(manager).post(
        url("scan", night_session),
        {"code": checkin.card_code(other_trainee)},
        follow=True,
    )
    assert "现场加入未成功" in texts(response)[0]
    assert not AttendanceRecord.objects.exists()


def test_the_scan_service_seats_an_activity_walk_in_by_the_rule_passed(
    night_session, space_staff, other_trainee
):
    move(night_session, starts_in=timedelta(minutes=5))
    done = checkin.scan_check_in(
        night_session,
        code=checkin.card_code(other_trainee),
        actor=space_staff,
        rule=activities.activity_refusal,
    )
    assert done.walked_in and done.record.status == Status.PRESENT


def test_without_a_rule_a_non_class_session_seats_no_walk_in(
    night_session, space_staff, other_trainee
):
    from django.core.exceptions import ValidationError

    move(night_session, starts_in=timedelta(minutes=5))
    with pytest.raises(ValidationError, match="没有预约本场"):
        checkin.scan_check_in(
            night_session, code=checkin.card_code(other_trainee), actor=space_staff
        )
    assert not Booking.objects.exists()


# --- the code screen and self check-in -------------------------------------------------


def test_the_code_screen_and_its_json_show_the_current_code(
    signed_up, night_session, manager
):
    client = client_for(manager)
    assert (
        checkin.session_code(night_session)
        in client.get(url("code", night_session)).content.decode()
    )
    state = client.get(url("code_json", night_session)).json()
    assert state["in_window"] is True
    assert len(state["code"]) == 6


def test_a_signed_up_resident_checks_in_with_the_rooms_code(
    signed_up, night_session, trainee
):
    client = client_for(trainee)
    assert client.get(url("self", night_session)).status_code == 200
    assert not AttendanceRecord.objects.exists()  # a GET marks nothing

    response = client.post(
        url("self", night_session), {"code": checkin.session_code(night_session)}
    )

    assert response.status_code == 302
    record = AttendanceRecord.objects.get()
    assert (record.trainee, record.status, record.method) == (
        trainee,
        Status.PRESENT,
        AttendanceRecord.Method.SELF,
    )


def test_self_check_in_outside_the_window_is_refused(signed_up, night_session, trainee):
    move(night_session, starts_in=timedelta(hours=3))
    response = client_for(trainee).post(
        url("self", night_session), {"code": checkin.session_code(night_session)}
    )
    assert response.status_code == 400
    assert "不在签到时间内" in response.content.decode()
    assert not AttendanceRecord.objects.exists()


def test_a_wrong_code_is_refused(signed_up, night_session, trainee):
    right = checkin.session_code(night_session)
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    response = client_for(trainee).post(url("self", night_session), {"code": wrong})
    assert response.status_code == 400
    assert not AttendanceRecord.objects.exists()


def test_a_resident_without_a_booking_gets_404(signed_up, night_session, other_trainee):
    client = client_for(other_trainee)
    assert client.get(url("self", night_session)).status_code == 404
    response = client.post(
        url("self", night_session), {"code": checkin.session_code(night_session)}
    )
    assert response.status_code == 404
    assert not AttendanceRecord.objects.exists()


# --- helpers ------------------------------------------------------------------------------


def test_the_organiser_records_helpers_by_phone(
    signed_up, night_session, manager, trainee, other_trainee
):
    move(night_session, starts_in=-timedelta(minutes=30))
    client = client_for(manager)
    response = client.post(
        url("helpers", night_session),
        {
            "phones": f"{trainee.phone}\n{other_trainee.phone}，13999999999, "
            f"{manager.phone}",
            "hours": "1.5",
        },
        follow=True,
    )

    records = ServiceRecord.objects.filter(source_session_id=night_session.pk)
    assert {r.volunteer for r in records} == {trainee, other_trainee}
    assert {r.hours for r in records} == {Decimal("1.5")}
    assert {r.status for r in records} == {ServiceRecord.Status.PENDING}
    shown = " ".join(texts(response))
    assert "13999999999" in shown and "没有找到" in shown
    assert "发起人" in shown  # the organiser is skipped, saying why
    assert trainee.real_name in response.content.decode()  # the recorded list
    assert not User.objects.filter(phone="13999999999").exists()


def test_helpers_default_to_the_session_length_and_wait_for_the_start(
    signed_up, night_session, manager, trainee
):
    client = client_for(manager)
    page = client.get(url("helpers", night_session))
    assert "场次开始后" in page.content.decode()
    response = client.post(
        url("helpers", night_session), {"phones": trainee.phone, "hours": "2"}
    )
    assert response.status_code == 400
    assert not ServiceRecord.objects.exists()

    move(night_session, starts_in=-timedelta(minutes=30))
    page = client.get(url("helpers", night_session))
    assert 'value="2.0"' in page.content.decode()


def test_a_resident_cannot_record_helpers(signed_up, night_session, trainee):
    move(night_session, starts_in=-timedelta(minutes=30))
    response = client_for(trainee).post(
        url("helpers", night_session), {"phones": trainee.phone, "hours": "2"}
    )
    assert response.status_code == 404
    assert not ServiceRecord.objects.exists()
