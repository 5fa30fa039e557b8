"""Getting in to /api/v1/: a token obtained with phone and password (shown once,
stored hashed, revocable), brute force refused by the web's login limits, a
browser session with CSRF on unsafe methods, inactive users refused, and 401
for a caller with neither."""

from django.conf import settings
from django.test import Client

import pytest

from api.models import ApiToken
from api.tokens import hash_token
from courses.models import Booking
from tests.api.conftest import BASE, ApiClient, enrol
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = BASE + "/auth/token"


def obtain(client: Client, phone: str, password: str, name: str = "张三的手机"):
    return client.post(
        TOKEN_URL,
        {"phone": phone, "password": password, "name": name},
        content_type="application/json",
    )


def test_phone_and_password_give_a_token_shown_once_and_stored_hashed(trainee):
    response = obtain(Client(enforce_csrf_checks=True), trainee.phone, TEST_PASSWORD)
    assert response.status_code == 201
    body = response.json()
    secret = body["token"]
    assert len(secret) >= 40
    stored = ApiToken.objects.get(user=trainee)
    assert stored.key_hash == hash_token(secret) != secret
    assert stored.prefix == secret[:8] == body["prefix"]
    assert stored.name == "张三的手机"
    assert not ApiToken.objects.filter(key_hash=secret).exists()
    me = ApiClient(secret).get("/me")
    assert me.status_code == 200
    assert me.json()["name"] == "张三"


def test_a_wrong_password_gets_no_token_and_says_so_in_chinese(trainee):
    response = obtain(Client(), trainee.phone, "not-the-password")
    assert response.status_code == 401
    assert "手机号或密码不正确" in response.json()["detail"][0]
    assert not ApiToken.objects.exists()


def test_repeated_failures_lock_the_phone_even_for_the_right_password(trainee):
    client = Client()
    statuses = [
        obtain(client, trainee.phone, "guess-again").status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[:-1] == [401] * (settings.AXES_FAILURE_LIMIT - 1)
    locked = obtain(client, trainee.phone, TEST_PASSWORD)
    assert locked.status_code == 429
    assert locked["Content-Type"].startswith("application/json")
    assert "登录失败次数过多" in locked.json()["detail"][0]
    assert not ApiToken.objects.exists()


def test_a_successful_login_clears_the_phones_failures(trainee):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert obtain(client, trainee.phone, "guess-again").status_code == 401
    assert obtain(client, trainee.phone, TEST_PASSWORD).status_code == 201
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert obtain(client, trainee.phone, "guess-again").status_code == 401
    assert obtain(client, trainee.phone, TEST_PASSWORD).status_code == 201
    trainee.refresh_from_db()
    assert trainee.last_login is not None


def test_an_inactive_user_gets_no_token_and_their_old_token_stops(trainee, api):
    trainee.is_active = False
    trainee.save(update_fields=["is_active"])
    assert obtain(Client(), trainee.phone, TEST_PASSWORD).status_code == 401
    assert ApiToken.objects.count() == 1
    assert api.get("/me").status_code == 401


def test_revoking_the_token_in_use_logs_the_device_out(api, trainee):
    response = api.delete("/auth/token")
    assert response.status_code == 200
    assert ApiToken.objects.get(user=trainee).revoked_at is not None
    assert api.get("/me").status_code == 401
    assert api.delete("/auth/token").status_code == 401


def test_revoking_one_device_leaves_the_others(trainee):
    from tests.api.conftest import token_client

    phone, tablet = token_client(trainee), token_client(trainee)
    assert phone.delete("/auth/token").status_code == 200
    assert tablet.get("/me").status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/me", "/me/classes", "/me/bookings", "/me/certificates", "/me/growth",
     "/me/points", "/rewards"],
)  # fmt: skip
def test_no_credentials_or_a_made_up_token_is_401(path, db):
    for client in (ApiClient(None), ApiClient("made-up-token")):
        response = client.get(path)
        assert response.status_code == 401
        assert response.json()["detail"]


def test_unsafe_calls_without_credentials_are_401_and_change_nothing(class_session):
    client = ApiClient(None)
    assert client.post(f"/sessions/{class_session.pk}/book").status_code == 401
    assert client.delete("/auth/token").status_code == 401
    assert not Booking.objects.exists()


def test_a_logged_in_browser_reads_with_its_session(trainee):
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee)
    response = client.get(BASE + "/me")
    assert response.status_code == 200
    assert response.json()["phone"] == trainee.masked_phone


def test_a_session_post_without_the_csrf_token_is_refused(
    trainee, training_class, class_session
):
    enrol(training_class, trainee)
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee)
    url = f"{BASE}/sessions/{class_session.pk}/book"
    refused = client.post(url)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"][0]
    assert not Booking.objects.exists()
    # The control: the same POST with the token books (so the test can fail).
    client.get(BASE + "/me")  # any page sets the cookie; ours reads it
    client.get("/accounts/profile/")
    csrf = client.cookies[settings.CSRF_COOKIE_NAME].value
    booked = client.post(url, headers={"X-CSRFToken": csrf})
    assert booked.status_code == 201, booked.content
    assert Booking.objects.get().trainee == trainee


def test_an_inactive_users_session_is_not_accepted(trainee):
    client = Client()
    client.force_login(trainee)
    trainee.is_active = False
    trainee.save(update_fields=["is_active"])
    assert client.get(BASE + "/me").status_code == 401


def test_a_token_needs_no_csrf_and_records_its_last_change_not_its_reads(
    api, trainee, training_class, class_session
):
    enrol(training_class, trainee)
    token = ApiToken.objects.get(user=trainee)
    assert api.get("/me").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is None
    assert api.post(f"/sessions/{class_session.pk}/book").status_code == 201
    token.refresh_from_db()
    assert token.last_used_at is not None
