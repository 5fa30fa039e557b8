"""What the app reads: me, my classes, bookings, certificates, growth, points and
the reward catalogue, each shaped from the web's selectors; and no GET changes
anything, not even the token's last use."""

from datetime import timedelta

from django.apps import apps

import pytest

from api.models import ApiToken
from courses import sessions
from school.models import Level, User
from tests.api.conftest import enrol, token_client
from tests.volunteers.test_rewards_support import credit
from volunteers import activities

pytestmark = pytest.mark.django_db


def test_me_names_me_with_a_masked_phone_level_and_unit(api, trainee, grid):
    body = api.get("/me").json()
    assert body["name"] == "张三"
    assert body["phone"] == trainee.masked_phone
    assert "****" in body["phone"] and trainee.phone not in body["phone"]
    assert (body["level"], body["level_label"]) == ("resident", "居民")
    assert body["org_unit"]["id"] == grid.pk
    assert body["org_unit"]["name"] == grid.name


def test_my_classes_list_each_enrolment_with_progress_and_attendance(
    api, trainee, training_class
):
    enrolment = enrol(training_class, trainee)
    [row] = api.get("/me/classes").json()
    assert row["enrollment_id"] == enrolment.pk
    assert row["status"] == "active"
    assert row["course_title"] == "公益理念"
    assert row["progress_percent"] == 0
    assert row["attendance_percent"] is None


def test_my_bookings_hold_class_sessions_and_activities_with_the_waitlist_place(
    api, trainee, other_trainee, training_class, class_session, night_session
):
    enrol(training_class, trainee)
    sessions.book_session(class_session, trainee=trainee, actor=trainee)
    User.objects.filter(pk=other_trainee.pk).update(level=Level.VOLUNTEER)
    night_session.seats = 1
    night_session.save(update_fields=["seats"])
    activities.sign_up(night_session, person=other_trainee)
    activities.sign_up(night_session, person=trainee)
    rows = {row["kind"]: row for row in api.get("/me/bookings").json()}
    assert rows["class"]["session_id"] == class_session.pk
    assert rows["class"]["status"] == "confirmed"
    assert rows["class"]["waitlist_position"] is None
    assert rows["class"]["place"]
    assert rows["activity"]["session_id"] == night_session.pk
    assert rows["activity"]["status"] == "waitlisted"
    assert rows["activity"]["waitlist_position"] == 1
    assert rows["activity"]["status_label"] == "候补第 1 位"
    assert rows["activity"]["title"] == "智能手机夜校"


def test_my_certificates_give_number_status_and_the_verify_and_pdf_urls(
    api, certificate
):
    [row] = api.get("/me/certificates").json()
    assert row["number"] == certificate.number
    assert row["status"] == "valid"
    assert row["verify_url"].endswith(f"/verify/{certificate.code}/")
    assert row["pdf_url"].endswith(f"/api/v1/me/certificates/{certificate.pk}/pdf")
    # Not rendered yet: the PDF address says to come back.
    pending = api.get(row["pdf_url"].split("/api/v1", 1)[1])
    assert pending.status_code == 202


def test_someone_elses_certificate_pdf_is_404(other_api, certificate):
    response = other_api.get(f"/me/certificates/{certificate.pk}/pdf")
    assert response.status_code == 404
    assert response.json() == {"detail": ["未找到，或您无权查看。"]}
    assert other_api.get("/me/certificates").json() == []


def test_my_growth_says_what_the_next_step_still_needs(api):
    body = api.get("/me/growth").json()
    assert body["level"] == "resident"
    assert [rung["level"] for rung in body["ladder"]][0] == "resident"
    if body["next_step"] is not None:
        assert body["next_step"]["level"] == "volunteer"
        assert all(isinstance(line, str) for line in body["next_step"]["needs"])


def test_my_points_show_balance_and_the_latest_entries_by_page(api, trainee):
    for _ in range(23):
        credit(trainee, 2)
    first = api.get("/me/points").json()
    assert (first["balance"], first["count"], first["pages"]) == (46, 23, 2)
    assert len(first["entries"]) == 20
    assert first["entries"][0]["balance_after"] == 46
    second = api.get("/me/points", page=2).json()
    assert (second["page"], len(second["entries"])) == (2, 3)


def test_the_catalogue_says_whether_i_may_redeem_and_why_not(api, trainee, reward):
    [row] = api.get("/rewards").json()
    assert row["id"] == reward.pk
    assert row["can_redeem"] is False
    assert "仅限志愿者及以上兑换" in row["reason"]
    User.objects.filter(pk=trainee.pk).update(level=Level.VOLUNTEER)
    credit(trainee, 100)
    [row] = api.get("/rewards").json()
    assert (row["can_redeem"], row["reason"]) == (True, "")


GETS = [
    "/me",
    "/me/classes",
    "/me/bookings",
    "/me/certificates",
    "/me/growth",
    "/me/points",
    "/rewards",
    "/openapi.json",
]


def _snapshot() -> dict:
    """Every table's row count, and the fields a read might be tempted to touch."""
    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }
    counts["tokens"] = list(ApiToken.objects.values_list("last_used_at", "revoked_at"))
    counts["logins"] = list(User.objects.values_list("pk", "last_login"))
    return counts


def test_no_get_changes_anything(
    trainee, training_class, class_session, night_session, certificate, reward
):
    # `certificate` completed the trainee's enrolment in the class: still a seat.
    sessions.book_session(class_session, trainee=trainee, actor=trainee)
    User.objects.filter(pk=trainee.pk).update(level=Level.VOLUNTEER)
    trainee.refresh_from_db()
    activities.sign_up(night_session, person=trainee)
    credit(trainee, 50)
    api = token_client(trainee)
    before = _snapshot()
    for path in GETS:
        response = api.get(path)
        assert response.status_code == 200, path
    response = api.get(f"/me/certificates/{certificate.pk}/pdf")
    assert response.status_code == 202
    assert _snapshot() == before
    # And the unsafe methods are refused on the read URLs.
    for path in GETS[:-1]:
        assert api.post(path).status_code == 405, path
    assert _snapshot() == before


def test_a_future_class_session_is_listed_until_it_ends(api, trainee, training_class):
    from tests.courses.factories import ClassSessionFactory

    enrol(training_class, trainee)
    session = ClassSessionFactory(training_class=training_class, seats=3)
    sessions.book_session(session, trainee=trainee, actor=trainee)
    assert [row["session_id"] for row in api.get("/me/bookings").json()] == [session.pk]
    session.__class__.objects.filter(pk=session.pk).update(
        starts_at=session.starts_at - timedelta(days=10),
        ends_at=session.ends_at - timedelta(days=10),
        booking_closes_at=session.booking_closes_at - timedelta(days=10),
    )
    assert api.get("/me/bookings").json() == []
