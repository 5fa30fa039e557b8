"""The health endpoint for load balancers, and the system check for certificate PDFs."""

from django.core import checks
from django.urls import reverse

import pytest
from django_q.brokers import get_broker

from school.checks import (
    check_pdf_dependencies,
    cjk_extension_b_font_available,
    cjk_font_available,
    harfbuzz_subset_available,
    pdf_dependencies_check,
)

pytestmark = pytest.mark.django_db


def present() -> bool:
    return True


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


def test_pdf_check_passes_when_harfbuzz_and_a_cjk_font_are_present():
    assert check_pdf_dependencies(harfbuzz=present, cjk_font=present) == []


def test_pdf_check_names_harfbuzz_subset_when_it_is_missing():
    errors = check_pdf_dependencies(harfbuzz=missing, cjk_font=present)

    assert [error.id for error in errors] == ["school.E001"]
    error = errors[0]
    assert error.level == checks.ERROR
    assert "libharfbuzz-subset0" in error.msg
    assert "apt-get install libharfbuzz-subset0" in error.hint
    assert "15 s" in error.hint


def test_pdf_check_names_the_cjk_font_when_it_is_missing():
    errors = check_pdf_dependencies(harfbuzz=present, cjk_font=missing)

    assert [error.id for error in errors] == ["school.E002"]
    assert "CJK" in errors[0].msg
    assert "apt-get install fonts-noto-cjk" in errors[0].hint


def test_pdf_check_names_the_extension_b_font_when_it_is_missing():
    errors = check_pdf_dependencies(
        harfbuzz=present, cjk_font=present, extension_b_font=missing
    )

    assert [error.id for error in errors] == ["school.E003"]
    assert "Extension B" in errors[0].msg
    assert "apt-get install fonts-hanazono" in errors[0].hint


def test_this_machine_has_a_font_for_cjk_extension_b():
    assert cjk_extension_b_font_available()


def test_pdf_check_reports_both_when_both_are_missing():
    errors = check_pdf_dependencies(harfbuzz=missing, cjk_font=missing)

    assert [error.id for error in errors] == ["school.E001", "school.E002"]


def test_this_machine_has_harfbuzz_subset_and_a_cjk_font():
    assert harfbuzz_subset_available()
    assert cjk_font_available()


def test_the_registered_system_check_passes_on_this_machine(settings):
    settings.GRIDSCHOOL_REQUIRE_PDF_FONTS = True

    errors = checks.run_checks(tags=["gridschool"])

    assert errors == []


def test_the_system_check_is_skipped_where_certificates_are_not_rendered(settings):
    settings.GRIDSCHOOL_REQUIRE_PDF_FONTS = False

    assert pdf_dependencies_check(None) == []
