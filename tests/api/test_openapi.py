"""The schema the app is built against: every endpoint listed, served as JSON
from us, with no interactive docs page (it would load Swagger from a CDN)."""

import re

from django.test import Client

import pytest

from api.v1 import api as v1
from tests.api.conftest import BASE

pytestmark = pytest.mark.django_db

EXPECTED = {
    "/api/v1/auth/token": {"post", "delete"},
    "/api/v1/me": {"get"},
    "/api/v1/me/classes": {"get"},
    "/api/v1/me/bookings": {"get"},
    "/api/v1/me/certificates": {"get"},
    "/api/v1/me/certificates/{certificate_ref}/pdf": {"get"},
    "/api/v1/me/growth": {"get"},
    "/api/v1/me/points": {"get"},
    "/api/v1/sessions/{session_ref}/book": {"post"},
    "/api/v1/bookings/{booking_ref}/cancel": {"post"},
    "/api/v1/sessions/{session_ref}/check-in": {"post"},
    "/api/v1/rewards": {"get"},
    "/api/v1/rewards/{reward_ref}/redeem": {"post"},
}


def test_the_openapi_json_lists_every_path_and_method():
    response = Client().get(BASE + "/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = {path: set(methods) for path, methods in schema["paths"].items()}
    assert paths == EXPECTED
    schemes = schema["components"]["securitySchemes"]
    assert {"TokenAuth", "SessionAuth"} <= set(schemes)


def test_the_schema_names_no_cdn_and_there_is_no_docs_page():
    text = Client().get(BASE + "/openapi.json").content.decode()
    assert not re.search(r"cdn|jsdelivr|unpkg|swagger-ui|redoc", text, re.I)
    assert v1.docs_url is None
    for path in ("/docs", "/docs/"):
        assert Client().get(BASE + path, follow=True).status_code == 404
