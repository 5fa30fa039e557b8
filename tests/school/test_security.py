"""Every state change is a POST with a CSRF token: a GET changes nothing, and a POST
without the token is refused with 403 and changes nothing."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from certificates import services as certificate_services
from certificates.models import Certificate, CertificateBatch, CertificateEvent
from courses.models import Enrollment
from school import encryption
from school.models import ActivationCode, User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Sturdy-Lantern-77"
TRAINEE_LIST = "姓名,手机号,社区,网格\n赵六,13900139001,桃园社区,第1网格\n".encode()


@dataclass(frozen=True)
class Case:
    """One state-changing URL: who is logged in, and what a real POST would send."""

    url_name: str
    actor: str | None  # fixture name of the logged-in user
    data: dict

    def __str__(self) -> str:
        return self.url_name


def post_data(case: Case, grid) -> dict:
    data = dict(case.data)
    if "org_unit" in data:
        data["org_unit"] = grid.pk
    if case.url_name == "school_import_trainees":
        data["file"] = SimpleUploadedFile("trainees.csv", TRAINEE_LIST, "text/csv")
    return data


CASES = [
    Case(
        "accounts:signup",
        None,
        {
            "phone": "13900139000",
            "real_name": "王五",
            "org_unit": "grid",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "privacy_consent": "on",
        },
    ),
    Case(
        "accounts:login", None, {"username": "13600000000", "password": TEST_PASSWORD}
    ),
    Case("accounts:logout", "trainee", {}),
    Case(
        "accounts:profile",
        "trainee",
        {"real_name": "改名了", "email": "new@example.com", "org_unit": "grid"},
    ),
    Case("accounts:password_reset", None, {"email": "zhangsan@example.com"}),
    Case(
        "accounts:password_change",
        "trainee",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    ),
    Case("set_language", None, {"language": "en", "next": "/accounts/login/"}),
    Case("school_import_trainees", "school_admin", {}),
    Case(
        "accounts:activate",
        None,
        {
            "phone": "13900139009",
            "code": "ABCD-EFGH",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "privacy_consent": "on",
        },
    ),
]


@pytest.fixture
def world(trainee, school_admin, grid):
    """The people every case may touch, with an email so that a reset could be sent."""
    trainee.phone = "13600000000"
    trainee.email = "zhangsan@example.com"
    trainee.save()
    imported = UserFactory(phone="13900139009", org_unit=grid)
    imported.set_unusable_password()
    imported.save()
    ActivationCode.objects.create(
        user=imported,
        code_encrypted=encryption.encrypt("ABCDEFGH"),
        expires_at=timezone.now() + timedelta(days=1),
    )
    return {"trainee": trainee, "school_admin": school_admin, "grid": grid}


def snapshot() -> dict:
    """Everything a state-changing URL could change, as plain values."""
    return {
        "users": sorted(
            User.objects.values_list(
                "pk", "phone", "real_name", "email", "org_unit", "password", "level"
            )
        ),
        "groups": sorted(User.groups.through.objects.values_list("user", "group")),
        "mail": len(mail.outbox),
    }


def make_client(case: Case, world, *, enforce_csrf_checks: bool) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    if case.actor:
        client.force_login(world[case.actor])
    return client


def session_user(client) -> str | None:
    return client.session.get("_auth_user_id")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_get_changes_nothing(case, world):
    client = make_client(case, world, enforce_csrf_checks=False)
    logged_in_as = session_user(client)
    before = snapshot()

    response = client.get(reverse(case.url_name), post_data(case, world["grid"]))

    assert response.status_code in {200, 302, 405}
    assert snapshot() == before
    assert session_user(client) == logged_in_as
    assert "django_language" not in response.cookies


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_post_without_csrf_token_is_refused_and_changes_nothing(case, world):
    client = make_client(case, world, enforce_csrf_checks=True)
    logged_in_as = session_user(client)
    before = snapshot()

    response = client.post(reverse(case.url_name), post_data(case, world["grid"]))

    assert response.status_code == 403
    assert snapshot() == before
    assert session_user(client) == logged_in_as
    assert "django_language" not in response.cookies


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_same_post_with_a_csrf_token_does_change_something(case, world):
    """The control for the two tests above: their data really is state-changing."""
    client = make_client(case, world, enforce_csrf_checks=True)
    logged_in_as = session_user(client)
    before = snapshot()
    client.get(reverse("accounts:password_reset"))  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value

    response = client.post(
        reverse(case.url_name),
        {**post_data(case, world["grid"]), "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    changed = (
        snapshot() != before
        or session_user(client) != logged_in_as
        or "django_language" in response.cookies
    )
    assert changed


def test_password_reset_confirm_refuses_a_post_without_csrf_token(world):
    trainee = world["trainee"]
    Client().post(reverse("accounts:password_reset"), {"email": trainee.email})
    path = re.search(
        re.escape(settings.SITE_URL) + r"(\S+)", mail.outbox[0].body
    ).group(1)
    client = Client(enforce_csrf_checks=True)
    set_password_url = client.get(path, follow=True).redirect_chain[-1][0]

    response = client.post(
        set_password_url,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 403
    trainee.refresh_from_db()
    assert trainee.check_password(TEST_PASSWORD)


def test_healthz_accepts_no_post(client, db):
    assert client.post(reverse("healthz")).status_code == 405


# The certificate admin (certificates.admin_views): the same three checks for each
# state-changing URL, against a class with an issued certificate, a revoked one and
# a trainee still studying.


@dataclass(frozen=True)
class CertificateCase:
    url_name: str
    args: Callable[[dict], list]
    data: Callable[[dict], dict]

    def __str__(self) -> str:
        return self.url_name


CERTIFICATE_CASES = [
    CertificateCase(
        "issued_certificates:revoke",
        lambda w: [w["certificate"].pk],
        lambda w: {"reason": "冒名参训"},
    ),
    CertificateCase(
        "issued_certificates:reinstate",
        lambda w: [w["revoked"].pk],
        lambda w: {"reason": "核实无误"},
    ),
    CertificateCase(
        "certificate_classes:issue",
        lambda w: [w["training_class"].pk],
        lambda w: {
            "template": w["template"].pk,
            "enrollments": [w["certificate"].enrollment_id],
        },
    ),
    CertificateCase(
        "certificate_classes:issue_one",
        lambda w: [w["training_class"].pk],
        lambda w: {
            "enrollment": w["studying"].pk,
            "template": w["template"].pk,
            "reason": "补考合格",
        },
    ),
    CertificateCase(
        "certificate_classes:archive", lambda w: [w["training_class"].pk], lambda w: {}
    ),
]


@pytest.fixture
def certificate_world(request, world, other_trainee):
    # The certificates' fixtures (imported above) asked for by name, so that no
    # parameter shadows the imports.
    w = {
        **world,
        "training_class": request.getfixturevalue("training_class"),
        "template": request.getfixturevalue("certificate_template"),
        "certificate": request.getfixturevalue("certificate"),
    }
    w["revoked"] = certificate_services.issue_certificate(
        Enrollment.objects.create(
            training_class=w["training_class"],
            trainee=other_trainee,
            status=Enrollment.Status.ACTIVE,
        ),
        template=w["template"],
        reason="补考合格",
        deliver=False,
    )
    certificate_services.revoke_certificate(
        w["revoked"], actor=world["school_admin"], reason="信息有误"
    )
    w["studying"] = Enrollment.objects.create(
        training_class=w["training_class"],
        trainee=UserFactory(real_name="王五", org_unit=world["grid"]),
        status=Enrollment.Status.ACTIVE,
    )
    return w


def certificates_snapshot() -> dict:
    return {
        "certificates": sorted(
            Certificate.objects.values_list("pk", "status", "revoked_reason")
        ),
        "events": CertificateEvent.objects.count(),
        "batches": CertificateBatch.objects.count(),
    }


def admin_client(world, *, enforce_csrf_checks: bool) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.force_login(world["school_admin"])
    return client


@pytest.mark.parametrize("case", CERTIFICATE_CASES, ids=str)
def test_a_get_changes_no_certificate(case, certificate_world):
    client = admin_client(certificate_world, enforce_csrf_checks=False)
    before = certificates_snapshot()

    response = client.get(
        reverse(case.url_name, args=case.args(certificate_world)),
        case.data(certificate_world),
    )

    assert response.status_code in {200, 405}
    assert certificates_snapshot() == before


@pytest.mark.parametrize("case", CERTIFICATE_CASES, ids=str)
def test_a_certificate_post_without_csrf_token_is_refused(case, certificate_world):
    client = admin_client(certificate_world, enforce_csrf_checks=True)
    before = certificates_snapshot()

    response = client.post(
        reverse(case.url_name, args=case.args(certificate_world)),
        case.data(certificate_world),
    )

    assert response.status_code == 403
    assert certificates_snapshot() == before


@pytest.mark.parametrize("case", CERTIFICATE_CASES, ids=str)
def test_the_same_certificate_post_with_a_csrf_token_does_change_something(
    case, certificate_world
):
    client = admin_client(certificate_world, enforce_csrf_checks=True)
    before = certificates_snapshot()
    client.get(reverse("accounts:password_reset"))  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value

    response = client.post(
        reverse(case.url_name, args=case.args(certificate_world)),
        {**case.data(certificate_world), "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert certificates_snapshot() != before


# Booking (courses.booking_views, courses.site_views and the session admin): the same
# three checks for each state-changing URL, against a session with one confirmed
# booking, someone waiting, and a trainee of the class who has not booked yet.


@dataclass(frozen=True)
class BookingCase:
    url_name: str
    actor: str
    args: Callable[[dict], list]
    data: Callable[[dict], dict]

    def __str__(self) -> str:
        return self.url_name


BOOKING_CASES = [
    BookingCase(
        "courses:book_session",
        "trainee",
        lambda w: [w["session"].pk],
        lambda w: {},
    ),
    BookingCase(
        "courses:cancel_booking",
        "booked",
        lambda w: [w["booking"].pk],
        lambda w: {},
    ),
    BookingCase("courses:reset_calendar", "trainee", lambda w: [], lambda w: {}),
    BookingCase(
        "sites:walk_in",
        "site_host",
        lambda w: [w["session"].pk],
        lambda w: {"phone": w["trainee"].phone},
    ),
    BookingCase(
        "sites:staff_cancel",
        "site_host",
        lambda w: [w["booking"].pk],
        lambda w: {"reason": "临时有事"},
    ),
    BookingCase(
        "class_sessions:reserve_seats",
        "school_admin",
        lambda w: [w["session"].pk],
        lambda w: {"org_unit": w["grid"].name, "seats": 2},
    ),
    BookingCase(
        "class_sessions:release_quota",
        "school_admin",
        lambda w: [w["quota"].pk],
        lambda w: {},
    ),
    BookingCase(
        "class_sessions:cancel",
        "school_admin",
        lambda w: [w["session"].pk],
        lambda w: {"reason": "场地维修"},
    ),
    BookingCase(
        "bookings:cancel",
        "school_admin",
        lambda w: [w["booking"].pk],
        lambda w: {"reason": "学员来电取消"},
    ),
]


@pytest.fixture
def booking_world(world, class_session, training_class, site_host, community):
    from courses import booking, sessions

    enrol = Enrollment.objects.create
    booked = UserFactory(real_name="预约人", org_unit=world["grid"])
    for person in (world["trainee"], booked):
        enrol(
            training_class=training_class,
            trainee=person,
            status=Enrollment.Status.ACTIVE,
        )
    return {
        **world,
        "site_host": site_host,
        "booked": booked,
        "session": class_session,
        "booking": sessions.book_session(class_session, trainee=booked, actor=booked),
        "quota": booking.reserve_seats(
            class_session, org_unit=community, seats=3, actor=world["school_admin"]
        ),
    }


def bookings_snapshot() -> dict:
    from courses.models import (
        BookableSession,
        Booking,
        BookingEvent,
        CalendarFeed,
        SeatQuota,
    )

    return {
        "bookings": sorted(Booking.objects.values_list("pk", "status")),
        "events": BookingEvent.objects.count(),
        "sessions": sorted(
            BookableSession.objects.values_list(
                "pk", "seats", "confirmed_count", "cancelled_at"
            )
        ),
        "feeds": sorted(CalendarFeed.objects.values_list("owner", "token")),
        "quotas": sorted(SeatQuota.objects.values_list("pk", "seats", "released_at")),
    }


def booking_client(case: BookingCase, w: dict, *, enforce_csrf_checks: bool):
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.force_login(w[case.actor])
    return client


@pytest.mark.parametrize("case", BOOKING_CASES, ids=str)
def test_a_get_changes_no_booking(case, booking_world):
    client = booking_client(case, booking_world, enforce_csrf_checks=False)
    before = bookings_snapshot()

    response = client.get(
        reverse(case.url_name, args=case.args(booking_world)),
        case.data(booking_world),
    )

    assert response.status_code in {200, 405}
    assert bookings_snapshot() == before


@pytest.mark.parametrize("case", BOOKING_CASES, ids=str)
def test_a_booking_post_without_csrf_token_is_refused(case, booking_world):
    client = booking_client(case, booking_world, enforce_csrf_checks=True)
    before = bookings_snapshot()

    response = client.post(
        reverse(case.url_name, args=case.args(booking_world)),
        case.data(booking_world),
    )

    assert response.status_code == 403
    assert bookings_snapshot() == before


@pytest.mark.parametrize("case", BOOKING_CASES, ids=str)
def test_the_same_booking_post_with_a_csrf_token_does_change_something(
    case, booking_world
):
    client = booking_client(case, booking_world, enforce_csrf_checks=True)
    before = bookings_snapshot()
    client.get(reverse("accounts:password_reset"))  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value

    response = client.post(
        reverse(case.url_name, args=case.args(booking_world)),
        {**case.data(booking_world), "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert bookings_snapshot() != before


# Attendance and feedback (courses.attendance_views, checkin_views, feedback_views):
# the same three checks, around a session starting in ten minutes (in the self
# check-in window) that a trainee has booked, and yesterday's session they attended.

ATTENDANCE_CASES = [
    BookingCase(
        "sites:attendance",
        "site_host",
        lambda w: [w["session"].pk],
        lambda w: {f"mark-{w['booking'].pk}": "absent", "save": "1"},
    ),
    BookingCase(
        "checkin:scan",
        "site_host",
        lambda w: [w["session"].pk],
        lambda w: {"code": w["card_code"]},
    ),
    BookingCase(
        "checkin:self",
        "booked",
        lambda w: [w["session"].pk],
        lambda w: {"code": w["session_code"]},
    ),
    BookingCase("checkin:card_reset", "booked", lambda w: [], lambda w: {}),
    BookingCase(
        "feedback:give_session",
        "booked",
        lambda w: [w["held"].pk],
        lambda w: {"score": "5", "comment": "很实用"},
    ),
    BookingCase(
        "feedback:give_class",
        "booked",
        lambda w: [w["held"].training_class_id],
        lambda w: {"score": "4"},
    ),
]


@pytest.fixture
def attendance_world(world, training_class, practice_site, site_host):
    from decimal import Decimal

    from courses import checkin
    from courses.models import AttendanceRecord, Booking
    from tests.courses.factories import ClassSessionFactory

    booked = UserFactory(real_name="签到人", org_unit=world["grid"])
    Enrollment.objects.create(
        training_class=training_class,
        trainee=booked,
        status=Enrollment.Status.COMPLETED,
        completed_at=timezone.now(),
    )
    now = timezone.now()
    session, held = (
        ClassSessionFactory(
            training_class=training_class,
            practice_site=practice_site,
            starts_at=starts_at,
        )
        for starts_at in (now + timedelta(minutes=10), now - timedelta(days=1))
    )
    booking, attended = (
        Booking.objects.create(
            session=each,
            trainee=booked,
            status=Booking.Status.CONFIRMED,
            confirmed_at=now,
        )
        for each in (session, held)
    )
    AttendanceRecord.objects.create(
        session_id=held.pk,
        booking=attended,
        trainee=booked,
        status=AttendanceRecord.Status.PRESENT,
        credit=Decimal("1"),
        method=AttendanceRecord.Method.ROSTER,
    )
    return {
        **world,
        "site_host": site_host,
        "booked": booked,
        "session": session,
        "booking": booking,
        "held": held,
        "card_code": checkin.card_code(booked),
        "session_code": checkin.session_code(session),
    }


def attendance_snapshot() -> dict:
    from courses.models import AttendanceChange, AttendanceRecord, CheckInCard, Feedback

    return {
        "records": sorted(AttendanceRecord.objects.values_list("pk", "status")),
        "changes": AttendanceChange.objects.count(),
        "cards": sorted(CheckInCard.objects.values_list("person", "version")),
        "feedback": sorted(Feedback.objects.values_list("pk", "score", "comment")),
    }


@pytest.mark.parametrize("case", ATTENDANCE_CASES, ids=str)
def test_a_get_changes_no_attendance(case, attendance_world):
    client = booking_client(case, attendance_world, enforce_csrf_checks=False)
    before = attendance_snapshot()

    response = client.get(
        reverse(case.url_name, args=case.args(attendance_world)),
        case.data(attendance_world),
    )

    assert response.status_code in {200, 405}
    assert attendance_snapshot() == before


@pytest.mark.parametrize("case", ATTENDANCE_CASES, ids=str)
def test_an_attendance_post_without_csrf_token_is_refused(case, attendance_world):
    client = booking_client(case, attendance_world, enforce_csrf_checks=True)
    before = attendance_snapshot()

    response = client.post(
        reverse(case.url_name, args=case.args(attendance_world)),
        case.data(attendance_world),
    )

    assert response.status_code == 403
    assert attendance_snapshot() == before


@pytest.mark.parametrize("case", ATTENDANCE_CASES, ids=str)
def test_the_same_attendance_post_with_a_csrf_token_does_change_something(
    case, attendance_world
):
    client = booking_client(case, attendance_world, enforce_csrf_checks=True)
    before = attendance_snapshot()
    client.get(reverse("accounts:password_reset"))  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value

    response = client.post(
        reverse(case.url_name, args=case.args(attendance_world)),
        {**case.data(attendance_world), "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert attendance_snapshot() != before


# Volunteer service, rewards and proofs (volunteers.*_views): the same three checks,
# around a volunteer with one pending and one approved service record (50 points),
# two issued redemptions, a covering coordinator and a merchant's shopkeeper.

VOLUNTEER_CASES = [
    BookingCase(
        "services:mine",
        "trainee",
        lambda w: [],
        lambda w: {
            "item": w["item"].pk,
            "served_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "hours": "2",
            "place": "桃园社区",
            "description": "助老送餐",
        },
    ),
    BookingCase(
        "services:decide",
        "coordinator",
        lambda w: [],
        lambda w: {"record": w["pending"].pk, "action": "approve"},
    ),
    BookingCase(
        "services:log_for",
        "coordinator",
        lambda w: [],
        lambda w: {
            "phone": w["trainee"].phone,
            "item": w["item"].pk,
            "served_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
            "hours": "1",
            "place": "桃园社区",
            "description": "代为登记的巡查",
        },
    ),
    BookingCase("proofs:issue", "trainee", lambda w: [], lambda w: {}),
    BookingCase("rewards:redeem", "trainee", lambda w: [w["reward"].pk], lambda w: {}),
    BookingCase(
        "rewards:cancel", "trainee", lambda w: [w["to_cancel"].pk], lambda w: {}
    ),
    BookingCase(
        "rewards:merchant",
        "shopkeeper",
        lambda w: [],
        lambda w: {"code": w["to_use"].code},
    ),
]


@pytest.fixture
def volunteer_world(world, community, volunteer_academy):
    from school import roles
    from school.models import Level
    from volunteers import redemptions, services
    from volunteers.models import CoordinatorScope, Merchant, PointItem, Reward

    volunteer = world["trainee"]
    volunteer.level = Level.VOLUNTEER
    volunteer.save(update_fields=["level"])
    coordinator = UserFactory(
        real_name="孙协调", org_unit=community, role=roles.COORDINATOR
    )
    CoordinatorScope.objects.create(coordinator=coordinator, org_unit=community)
    item = PointItem.objects.create(name="助老服务", points=50)
    yesterday = timezone.localdate() - timedelta(days=1)

    def logged():
        return services.log_service(
            volunteer,
            item=item,
            served_on=yesterday,
            hours=2,
            place="桃园社区",
            description="助老送餐",
            actor=volunteer,
        )

    services.approve_service_record(logged(), actor=coordinator)
    shopkeeper = UserFactory(
        real_name="周店主", org_unit=community, role=roles.MERCHANT
    )
    merchant = Merchant.objects.create(name="桃园理发店")
    merchant.staff.add(shopkeeper)
    reward = Reward.objects.create(
        merchant=merchant, title="爱心理发券", points_cost=5, stock=10
    )
    return {
        **world,
        "coordinator": coordinator,
        "shopkeeper": shopkeeper,
        "item": item,
        "pending": logged(),
        "reward": reward,
        "to_cancel": redemptions.redeem_reward(reward, person=volunteer),
        "to_use": redemptions.redeem_reward(reward, person=volunteer),
    }


def volunteers_snapshot() -> dict:
    from certificates.models import Certificate
    from volunteers.models import PointEntry, Redemption, Reward, ServiceRecord

    return {
        "records": sorted(ServiceRecord.objects.values_list("pk", "status")),
        "entries": PointEntry.objects.count(),
        "redemptions": sorted(Redemption.objects.values_list("pk", "status")),
        "stock": sorted(Reward.objects.values_list("pk", "stock")),
        "proofs": Certificate.objects.count(),
    }


@pytest.mark.parametrize("case", VOLUNTEER_CASES, ids=str)
def test_a_get_changes_no_service_points_or_rewards(case, volunteer_world):
    client = booking_client(case, volunteer_world, enforce_csrf_checks=False)
    before = volunteers_snapshot()

    response = client.get(
        reverse(case.url_name, args=case.args(volunteer_world)),
        case.data(volunteer_world),
    )

    assert response.status_code in {200, 405}
    assert volunteers_snapshot() == before


@pytest.mark.parametrize("case", VOLUNTEER_CASES, ids=str)
def test_a_volunteers_post_without_csrf_token_is_refused(case, volunteer_world):
    client = booking_client(case, volunteer_world, enforce_csrf_checks=True)
    before = volunteers_snapshot()

    response = client.post(
        reverse(case.url_name, args=case.args(volunteer_world)),
        case.data(volunteer_world),
    )

    assert response.status_code == 403
    assert volunteers_snapshot() == before


@pytest.mark.parametrize("case", VOLUNTEER_CASES, ids=str)
def test_the_same_volunteers_post_with_a_csrf_token_does_change_something(
    case, volunteer_world
):
    client = booking_client(case, volunteer_world, enforce_csrf_checks=True)
    before = volunteers_snapshot()
    client.get(reverse("accounts:password_reset"))  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value

    response = client.post(
        reverse(case.url_name, args=case.args(volunteer_world)),
        {**case.data(volunteer_world), "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert volunteers_snapshot() != before


# The level ladder (volunteers.promotion_views, recruitment_views, ladder_hooks): the
# same three checks, around a qualified 社区能人 who has not applied yet, one who has
# applied to an open recruitment round, promotions waiting for review, in notice and
# held by an objection, and a volunteer whose level is flagged for review.


def local_input(moment) -> str:
    """A datetime as a datetime-local input sends it."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


LADDER_CASES = [
    BookingCase(
        "promotions:apply",
        "talent",
        lambda w: [],
        lambda w: {"statement": "我在社区服务三年，希望组织更多夜校活动。"},
    ),
    BookingCase(
        "promotions:object",
        "other_trainee",
        lambda w: [w["in_notice"].pk],
        lambda w: {"reason": "该同志近期很少参加服务。"},
    ),
    BookingCase(
        "recruitment:apply",
        "talent",
        lambda w: [w["round"].pk],
        lambda w: {"statement": "我组织过邻里互助，希望带动更多居民参与。"},
    ),
    BookingCase(
        "recruitment:withdraw",
        "applicant",
        lambda w: [w["application"].pk],
        lambda w: {},
    ),
    BookingCase(
        "promotion_review:decide",
        "school_admin",
        lambda w: [w["waiting"].pk],
        lambda w: {"action": "approve"},
    ),
    BookingCase(
        "promotion_review:resolve",
        "school_admin",
        lambda w: [w["objection"].pk],
        lambda w: {"outcome": "dismiss", "note": "经核实，服务记录属实。"},
    ),
    BookingCase(
        "recruitment_admin:create",
        "school_admin",
        lambda w: [],
        lambda w: {
            "title": "第三批社区主理人招募",
            "places": "2",
            "opens_at": local_input(timezone.now()),
            "closes_at": local_input(timezone.now() + timedelta(days=14)),
            "description": "面向社区能人招募社区主理人。",
        },
    ),
    BookingCase(
        "recruitment_admin:shortlist",
        "school_admin",
        lambda w: [w["application"].pk],
        lambda w: {},
    ),
    BookingCase(
        "recruitment_admin:select",
        "school_admin",
        lambda w: [w["application"].pk],
        lambda w: {},
    ),
    BookingCase(
        "recruitment_admin:close",
        "school_admin",
        lambda w: [w["round"].pk],
        lambda w: {},
    ),
    BookingCase(
        "level_admin:resolve",
        "school_admin",
        lambda w: [w["review"].pk],
        lambda w: {"action": "keep", "note": "另有同等证书，保留等级。"},
    ),
    BookingCase(
        "level_admin:retire",
        "school_admin",
        lambda w: [w["flagged"].pk],
        lambda w: {"reason": "本人申请退出"},
    ),
    BookingCase(
        "level_admin:demote",
        "school_admin",
        lambda w: [w["talent"].pk],
        lambda w: {"to_level": "volunteer", "reason": "长期未参加服务"},
    ),
]


@pytest.fixture
def ladder_world(world, other_trainee, course_index, certificate_template):
    from courses.models import Tier
    from school.models import Level
    from tests.certificates.factories import completed_enrollment
    from tests.courses.factories import CoursePageFactory, TrainingClassFactory
    from tests.volunteers.test_promotions import approve, pending
    from tests.volunteers.test_recruitment_support import open_now
    from volunteers import ladder, promotions, recruitment

    admin = world["school_admin"]

    def certified(name: str, tier: str, level: str) -> tuple[User, Certificate]:
        person = UserFactory(real_name=name, org_unit=world["grid"], level=level)
        course = CoursePageFactory(parent=course_index, tier=tier)
        enrollment = completed_enrollment(TrainingClassFactory(course=course), person)
        return person, certificate_services.issue_certificate(
            enrollment, template=certificate_template, deliver=False
        )

    talent, _ = certified("赵能人", Tier.LEADERSHIP, Level.TALENT)
    applicant, _ = certified("钱报名", Tier.LEADERSHIP, Level.TALENT)
    recruitment_round = open_now(admin)
    application = recruitment.apply_to_round(
        recruitment_round, person=applicant, statement="希望带动更多居民参与。"
    )
    waiting, in_notice, held = (
        pending(UserFactory(real_name=name, org_unit=world["grid"], level=Level.TALENT))
        for name in ("孙待审", "李公示", "周暂停")
    )
    approve(in_notice, admin)
    approve(held, admin)
    objection = promotions.lodge_objection(
        held, objector=other_trainee, reason="该同志近期很少参加服务。"
    )
    flagged, basis = certified("吴志愿", Tier.BASIC, Level.RESIDENT)
    ladder.evaluate_person(flagged)  # a volunteer on the basic certificate ...
    certificate_services.revoke_certificate(basis, actor=admin, reason="错发")
    review = ladder.flag_level_for(basis.pk)  # ... since revoked
    assert review is not None
    return {
        **world,
        "other_trainee": other_trainee,
        "talent": talent,
        "applicant": applicant,
        "round": recruitment_round,
        "application": application,
        "waiting": waiting,
        "in_notice": in_notice,
        "objection": objection,
        "flagged": flagged,
        "review": review,
    }


def ladder_snapshot() -> dict:
    from volunteers.models import (
        LevelEvent,
        LevelReview,
        Objection,
        Promotion,
        RecruitmentRound,
        RoundApplication,
    )

    return {
        "promotions": sorted(Promotion.objects.values_list("pk", "status")),
        "objections": sorted(Objection.objects.values_list("pk", "resolution")),
        "rounds": sorted(
            RecruitmentRound.objects.values_list("pk", "status", "selected_count")
        ),
        "applications": sorted(RoundApplication.objects.values_list("pk", "status")),
        "reviews": sorted(LevelReview.objects.values_list("pk", "resolved_at")),
        "events": LevelEvent.objects.count(),
        "levels": sorted(User.objects.values_list("pk", "level")),
    }


@pytest.mark.parametrize("case", LADDER_CASES, ids=str)
def test_a_get_changes_no_ladder_state(case, ladder_world):
    client = booking_client(case, ladder_world, enforce_csrf_checks=False)
    before = ladder_snapshot()

    response = client.get(
        reverse(case.url_name, args=case.args(ladder_world)),
        case.data(ladder_world),
    )

    assert response.status_code in {200, 405}
    assert ladder_snapshot() == before


@pytest.mark.parametrize("case", LADDER_CASES, ids=str)
def test_a_ladder_post_without_csrf_token_is_refused(case, ladder_world):
    client = booking_client(case, ladder_world, enforce_csrf_checks=True)
    before = ladder_snapshot()

    response = client.post(
        reverse(case.url_name, args=case.args(ladder_world)),
        case.data(ladder_world),
    )

    assert response.status_code == 403
    assert ladder_snapshot() == before


@pytest.mark.parametrize("case", LADDER_CASES, ids=str)
def test_the_same_ladder_post_with_a_csrf_token_does_change_something(
    case, ladder_world
):
    client = booking_client(case, ladder_world, enforce_csrf_checks=True)
    before = ladder_snapshot()
    client.get(reverse("accounts:password_reset"))  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value

    response = client.post(
        reverse(case.url_name, args=case.args(ladder_world)),
        {**case.data(ladder_world), "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert ladder_snapshot() != before


# --- community activities ------------------------------------------------------------

ACTIVITY_CASES = [
    BookingCase("activities:sign_up", "resident", lambda w: [w["upcoming"].pk], dict),
    BookingCase("activities:cancel", "trainee", lambda w: [w["booking"].pk], dict),
    BookingCase(
        "organise:propose",
        "manager",
        lambda w: [],
        lambda w: {
            "title": "书法夜校",
            "kind": "night_school",
            "description": "毛笔字入门。",
            "space": str(w["space"].pk),
            "seats": "12",
            "date": w["free_day"].isoformat(),
            "starts": "19:00",
            "ends": "21:00",
            "weeks": "1",
            "audience": "everyone",
            "basis": "grant",
        },
    ),
    BookingCase("organise:withdraw", "manager", lambda w: [w["pending"].pk], dict),
    BookingCase(
        "organise:cancel",
        "manager",
        lambda w: [w["upcoming"].activity_id],
        lambda w: {"reason": "场地维修"},
    ),
    BookingCase(
        "organise:cancel_session",
        "manager",
        lambda w: [w["upcoming"].pk],
        lambda w: {"reason": "场地维修"},
    ),
    BookingCase("organise:approve", "space_staff", lambda w: [w["pending"].pk], dict),
    BookingCase(
        "organise:reject",
        "space_staff",
        lambda w: [w["pending"].pk],
        lambda w: {"reason": "该时段另有安排"},
    ),
    BookingCase(
        "activity_checkin:roster",
        "manager",
        lambda w: [w["live"].pk],
        lambda w: {f"mark-{w['live_booking'].pk}": "present"},
    ),
    BookingCase(
        "activity_checkin:scan",
        "manager",
        lambda w: [w["live"].pk],
        lambda w: {"code": w["card_code"]},
    ),
    BookingCase(
        "activity_checkin:self",
        "trainee",
        lambda w: [w["live"].pk],
        lambda w: {"code": w["session_code"]},
    ),
    BookingCase(
        "activity_checkin:feedback",
        "trainee",
        lambda w: [w["ended"].pk],
        lambda w: {"score": "5", "comment": "很实用"},
    ),
    BookingCase(
        "activity_checkin:helpers",
        "manager",
        lambda w: [w["ended"].pk],
        lambda w: {"phones": w["helper"].phone, "hours": "2"},
    ),
]


@pytest.fixture
def activity_world(world, community, grid):
    """A space with its staff, a manager's pending activity, an approved one to
    come (the trainee signed up), one in its check-in window and one held."""
    from datetime import datetime, time

    from courses import checkin
    from courses.attendance import record_attendance
    from courses.models import AttendanceRecord, BookableSession
    from school.models import Level
    from tests.volunteers.conftest import next_weekday_at
    from volunteers import activities
    from volunteers.models import CommunitySpace, OpeningHours

    staff = UserFactory(real_name="吴干事", org_unit=community)
    manager = UserFactory(real_name="郑主理", org_unit=grid, level=Level.MANAGER)
    space = CommunitySpace.objects.create(
        community=community, name="活动室", address="桃园路 1 号", capacity=30
    )
    space.staff.add(staff)
    for weekday in range(7):
        OpeningHours.objects.create(
            space=space, weekday=weekday, opens=time(8), closes=time(22)
        )

    def activity(weeks: int, *, approve: bool = True):
        start = next_weekday_at(2, 19, weeks=weeks)
        made = activities.propose_activity(
            organiser=manager,
            title=f"夜校第{weeks}期",
            kind="night_school",
            description="夜校",
            space=space,
            seats=20,
            slots=[activities.Slot(start, start + timedelta(hours=2))],
        )
        if approve:
            activities.approve_activity(made, actor=staff)
        return made.sessions.get()

    def move(session, starts_at):
        BookableSession.objects.filter(pk=session.pk).update(
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            booking_closes_at=starts_at - timedelta(hours=1),
        )
        session.refresh_from_db()

    trainee = world["trainee"]
    pending = activity(1, approve=False).activity
    upcoming = activity(2)
    booking = activities.sign_up(upcoming, person=trainee)
    live = activity(3)
    live_booking = activities.sign_up(live, person=trainee)
    move(live, timezone.now() - timedelta(minutes=5))
    ended = activity(4)
    activities.sign_up(ended, person=trainee)
    move(ended, timezone.now() - timedelta(hours=3))
    record_attendance(
        ended,
        trainee=trainee,
        status=AttendanceRecord.Status.PRESENT,
        actor=manager,
        method=AttendanceRecord.Method.ROSTER,
        reason="补录",
    )
    free_day = timezone.localtime(next_weekday_at(4, 9, weeks=5)).date()
    assert datetime.combine(free_day, time(19)) > datetime.now()
    return {
        **world,
        "manager": manager,
        "space_staff": staff,
        "resident": UserFactory(real_name="钱居民", org_unit=grid),
        "helper": UserFactory(real_name="孙帮手", org_unit=grid),
        "space": space,
        "pending": pending,
        "upcoming": upcoming,
        "booking": booking,
        "live": live,
        "live_booking": live_booking,
        "ended": ended,
        "card_code": checkin.card_code(trainee),
        "session_code": checkin.session_code(live),
        "free_day": free_day,
    }


def activity_snapshot() -> dict:
    from courses.models import AttendanceRecord, BookableSession, Booking, Feedback
    from volunteers.models import Activity, ServiceRecord

    return {
        "activities": sorted(Activity.objects.values_list("pk", "status")),
        "sessions": sorted(BookableSession.objects.values_list("pk", "cancelled_at")),
        "bookings": sorted(Booking.objects.values_list("pk", "status")),
        "marks": sorted(AttendanceRecord.objects.values_list("pk", "status")),
        "feedback": Feedback.objects.count(),
        "service": ServiceRecord.objects.count(),
    }


@pytest.mark.parametrize("case", ACTIVITY_CASES, ids=str)
def test_a_get_changes_no_activity_state(case, activity_world):
    client = booking_client(case, activity_world, enforce_csrf_checks=False)
    before = activity_snapshot()

    response = client.get(
        reverse(case.url_name, args=case.args(activity_world)),
        case.data(activity_world),
    )

    assert response.status_code in {200, 405}
    assert activity_snapshot() == before


@pytest.mark.parametrize("case", ACTIVITY_CASES, ids=str)
def test_an_activity_post_without_csrf_token_is_refused(case, activity_world):
    client = booking_client(case, activity_world, enforce_csrf_checks=True)
    before = activity_snapshot()

    response = client.post(
        reverse(case.url_name, args=case.args(activity_world)),
        case.data(activity_world),
    )

    assert response.status_code == 403
    assert activity_snapshot() == before


@pytest.mark.parametrize("case", ACTIVITY_CASES, ids=str)
def test_the_same_activity_post_with_a_csrf_token_does_change_something(
    case, activity_world
):
    client = booking_client(case, activity_world, enforce_csrf_checks=True)
    before = activity_snapshot()
    client.get(reverse("accounts:password_reset"))  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value

    response = client.post(
        reverse(case.url_name, args=case.args(activity_world)),
        {**case.data(activity_world), "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert activity_snapshot() != before


# --- the notifications centre ---------------------------------------------------------

NOTIFICATION_CASES = [
    BookingCase("notifications:read", "trainee", lambda w: [w["notice"].pk], dict),
    BookingCase("notifications:read_all", "trainee", lambda w: [], dict),
]


@pytest.fixture
def notification_world(world):
    from school.notifications import notify

    notice = notify(
        world["trainee"],
        kind="other",
        title="测试通知",
        body="正文",
        url="/learning/",
        key="security-test",
        email=False,
    )
    return {**world, "notice": notice}


def notifications_snapshot() -> list:
    from school.models import Notification

    return sorted(Notification.objects.values_list("pk", "read_at"))


@pytest.mark.parametrize("case", NOTIFICATION_CASES, ids=str)
def test_a_get_reads_no_notification(case, notification_world):
    client = booking_client(case, notification_world, enforce_csrf_checks=False)
    before = notifications_snapshot()

    response = client.get(reverse(case.url_name, args=case.args(notification_world)))

    assert response.status_code in {200, 405}
    assert notifications_snapshot() == before


@pytest.mark.parametrize("case", NOTIFICATION_CASES, ids=str)
def test_a_notification_post_without_csrf_token_is_refused(case, notification_world):
    client = booking_client(case, notification_world, enforce_csrf_checks=True)
    before = notifications_snapshot()

    response = client.post(reverse(case.url_name, args=case.args(notification_world)))

    assert response.status_code == 403
    assert notifications_snapshot() == before


@pytest.mark.parametrize("case", NOTIFICATION_CASES, ids=str)
def test_the_same_notification_post_with_a_csrf_token_does_change_something(
    case, notification_world
):
    client = booking_client(case, notification_world, enforce_csrf_checks=True)
    before = notifications_snapshot()
    client.get(reverse("accounts:password_reset"))  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value

    response = client.post(
        reverse(case.url_name, args=case.args(notification_world)),
        {"csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert notifications_snapshot() != before
