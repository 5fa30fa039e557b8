"""Shared set-up for the API tests: clients that call /api/v1/ with a bearer
token or a browser session, and the community-activity and rewards fixtures of
the volunteers tests (imported, not copied)."""

from django.test import Client

import pytest

from api import tokens
from courses.models import Enrollment
from tests.volunteers.conftest import (  # noqa: F401 (fixtures)
    approved_night_school,
    manager,
    night_school,
    night_session,
    space,
    space_staff,
)
from tests.volunteers.test_rewards_support import (  # noqa: F401 (fixtures)
    merchant,
    merchant_staff,
    reward,
)

BASE = "/api/v1"


class ApiClient:
    """JSON calls with `Authorization: Bearer <token>`; CSRF is enforced, as a
    browser's would be, to show a token needs none."""

    def __init__(self, secret: str | None):
        self.client = Client(enforce_csrf_checks=True)
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, **params):
        return self.client.get(BASE + path, params, headers=self.headers)

    def post(self, path: str, data: dict | None = None):
        return self.client.post(
            BASE + path,
            data or {},
            content_type="application/json",
            headers=self.headers,
        )

    def delete(self, path: str):
        return self.client.delete(BASE + path, headers=self.headers)


def token_client(user) -> ApiClient:
    _token, secret = tokens.issue_token(user, name="测试手机")
    return ApiClient(secret)


@pytest.fixture
def api(trainee) -> ApiClient:
    """张三's phone, holding a token."""
    return token_client(trainee)


@pytest.fixture
def other_api(other_trainee) -> ApiClient:
    return token_client(other_trainee)


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient(None)


def enrol(training_class, person) -> Enrollment:
    return Enrollment.objects.create(
        training_class=training_class, trainee=person, status=Enrollment.Status.ACTIVE
    )
