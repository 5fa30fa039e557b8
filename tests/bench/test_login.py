"""How long a login takes with the production password hasher, against a bare
Django view, and how many queries it makes (django-axes and the login limits of
school.backends count in the database)."""

from django.conf import settings as project_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from school import roles
from school.settings import base
from tests.bench.conftest import medians_ms
from tests.bench.urls import HELLO_PATH
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.bench.urls")]

PASSWORD = "Sturdy-Lantern-77"
RUNS = 15
WARMUP = 3


def _hashed_with(hashers: list[str], grid):
    """A trainee whose password was hashed with the first of ``hashers``."""
    user = UserFactory(org_unit=grid, role=roles.TRAINEE)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    assert user.password.startswith(
        "argon2" if "Argon2" in hashers[0] else "pbkdf2_sha256"
    )
    return user


def _login_post(phone: str):
    """One full login: a fresh visitor posts the form and is redirected."""

    def post() -> None:
        response = Client().post(
            reverse("accounts:login"), {"username": phone, "password": PASSWORD}
        )
        assert response.status_code == 302, response.status_code

    return post


def test_login_post_with_the_production_hasher_against_a_bare_view(
    client, grid, settings, record_figures
):
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2idPasswordHasher")
    argon2_user = _hashed_with(base.PASSWORD_HASHERS, grid)

    def hello() -> None:
        assert client.get(HELLO_PATH).content == b"hello"

    login = _login_post(argon2_user.phone)
    medians = medians_ms({"login": login, "hello": hello}, runs=RUNS, warmup=WARMUP)
    with CaptureQueriesContext(connection) as queries:
        login()
    # Read now: the next request through the test client empties the log. Today 16:
    # the two limits of school.backends (2 reads), axes' failure sum, the user, the
    # new session (4), clearing the phone's count, axes' clean-up, access log and
    # reset (3), last_login, the session's save (3).
    login_queries = list(queries.captured_queries)

    # The same login with a PBKDF2 hash and PBKDF2 first, as before Argon2.
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS[1:]
    pbkdf2_user = _hashed_with(settings.PASSWORD_HASHERS, grid)
    pbkdf2 = medians_ms({"login": _login_post(pbkdf2_user.phone)}, runs=RUNS, warmup=1)

    record_figures(
        login_post_ms=medians["login"],
        login_post_over_hello=medians["login"] / medians["hello"],
        login_post_queries=len(login_queries),
        login_post_pbkdf2_ms=pbkdf2["login"],
    )
