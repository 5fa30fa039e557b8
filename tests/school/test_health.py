"""The health endpoint for load balancers."""

from django.urls import reverse

import pytest
from django_q.brokers import get_broker

pytestmark = pytest.mark.django_db


def missing() -> bool:
    return False


def test_healthz_reports_ok_when_database_and_queue_answer(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": True, "queue": True}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_needs_no_login_and_sets_no_session(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert "sessionid" not in response.cookies


@pytest.mark.parametrize(
    "broken_ping",
    [missing, ConnectionError("broker unreachable")],
    ids=["ping says no", "ping raises"],
)
def test_healthz_returns_503_when_the_broker_does_not_answer(
    client, monkeypatch, broken_ping
):
    def ping(self) -> bool:
        # Fault injection: the broker is down; everything else is real.
        if isinstance(broken_ping, Exception):
            raise broken_ping
        return broken_ping()

    monkeypatch.setattr(type(get_broker()), "ping", ping)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": True, "queue": False}
