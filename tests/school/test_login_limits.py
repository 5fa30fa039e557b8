"""Login limits beyond one phone from one address: many addresses against one
account, one address against many accounts, the same answer for phone numbers
that are accounts and ones that are not, and a cap on password length."""

import re

from django.test import Client, override_settings
from django.urls import reverse

import pytest

from school.passwords import MAX_PASSWORD_LENGTH
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LIMITS = {"LOGIN_ACCOUNT_FAILURE_LIMIT": 8, "LOGIN_ADDRESS_FAILURE_LIMIT": 12}


def attempt(phone: str, password: str, address: str):
    client = Client(REMOTE_ADDR=address)
    response = client.post(
        reverse("accounts:login"), {"username": phone, "password": password}
    )
    return response, client.session.get("_auth_user_id")


@override_settings(**LIMITS)
def test_failures_from_many_addresses_lock_the_account_for_a_while(trainee):
    # Each address stays under axes' five; together they pass the account's eight.
    for n in range(8):
        response, _user = attempt(trainee.phone, "wrong-password", f"198.51.100.{n}")
        assert response.status_code == 200

    response, user = attempt(trainee.phone, TEST_PASSWORD, "203.0.113.50")

    assert response.status_code == 429
    assert "登录已暂时锁定" in response.content.decode()
    assert user is None


@override_settings(**LIMITS)
def test_one_address_spraying_many_accounts_is_stopped(trainee):
    for n in range(12):
        attempt(f"1390000{n:04d}", "Spring-2026", "198.51.100.77")

    locked, user = attempt(trainee.phone, TEST_PASSWORD, "198.51.100.77")
    elsewhere, other_user = attempt(trainee.phone, TEST_PASSWORD, "203.0.113.8")

    assert locked.status_code == 429 and user is None
    assert elsewhere.status_code == 302 and other_user == str(trainee.pk)


@override_settings(**LIMITS)
def test_a_phone_that_is_no_account_is_locked_alike(trainee):
    answers = []
    for phone in (trainee.phone, "13911112222"):
        for n in range(8):
            attempt(phone, "wrong-password", f"198.51.{len(answers)}.{n}")
        response, _user = attempt(phone, "wrong-password", "203.0.113.9")
        # The page without its per-response tokens (CSRF, CSP nonce).
        page = re.sub(r'(value|nonce|content)="[^"]*"', "", response.content.decode())
        answers.append((response.status_code, page))

    assert answers[0] == answers[1]
    assert answers[0][0] == 429
    assert "登录已暂时锁定" in answers[0][1]


@override_settings(**LIMITS)
def test_a_successful_login_starts_the_accounts_count_again(trainee):
    for n in range(7):
        attempt(trainee.phone, "wrong-password", f"198.51.100.{n}")
    response, _user = attempt(trainee.phone, TEST_PASSWORD, "203.0.113.1")
    assert response.status_code == 302

    for n in range(7):
        attempt(trainee.phone, "wrong-password", f"198.51.101.{n}")
    response, user = attempt(trainee.phone, TEST_PASSWORD, "203.0.113.2")

    assert response.status_code == 302
    assert user == str(trainee.pk)


def test_a_password_longer_than_the_cap_is_refused_before_any_hashing(client, trainee):
    response, user = attempt(trainee.phone, "x" * (MAX_PASSWORD_LENGTH + 1), "1.2.3.4")

    assert response.status_code == 200
    assert user is None


def test_sign_up_refuses_a_password_longer_than_the_cap(client, grid):
    password = "Long-" + "x" * MAX_PASSWORD_LENGTH
    response = client.post(
        reverse("accounts:signup"),
        {
            "phone": "13700002222",
            "real_name": "长密码",
            "org_unit": grid.pk,
            "password1": password,
            "password2": password,
            "privacy_consent": "on",
        },
    )

    assert response.status_code == 200
    assert "128" in response.content.decode()
