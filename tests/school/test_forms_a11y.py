"""A form sent back with errors ties each error to its field and sums them up at the
top (templates/includes/form.html and form_field.html)."""

import re
from html import unescape

from django.urls import reverse

import pytest

pytestmark = pytest.mark.django_db


def described_by_ids(html: str) -> list[str]:
    """Every id that some aria-describedby in the page names."""
    return [
        name
        for value in re.findall(r'aria-describedby="([^"]*)"', html)
        for name in value.split()
    ]


def test_each_invalid_fields_aria_describedby_names_an_error_in_the_page(client, grid):
    response = client.post(
        reverse("accounts:signup"),
        {"phone": "123", "real_name": "", "org_unit": grid.pk},
    )
    html = response.content.decode()

    assert "id_phone_error" in described_by_ids(html)
    assert 'aria-invalid="true"' in html
    for name in described_by_ids(html):
        assert f'id="{name}"' in html, f"aria-describedby names {name}, not in the page"
    error = re.search(r'<div class="error" id="id_phone_error">(.*?)</div>', html, re.S)
    assert error and "手机号" in unescape(error.group(1))


def test_a_failed_submit_lists_each_error_as_a_link_to_its_field(client, grid):
    response = client.post(
        reverse("accounts:signup"),
        {"phone": "123", "real_name": "", "org_unit": grid.pk},
    )
    html = response.content.decode()

    summary = re.search(r"<div [^>]*data-error-summary.*?</ul>", html, re.S).group(0)
    assert 'tabindex="-1"' in summary
    assert 'href="#id_phone"' in summary
    assert 'href="#id_real_name"' in summary
    assert "js/error-summary.js" in html


def test_a_failed_log_in_sums_up_the_error_without_field_links(client, trainee):
    response = client.post(
        reverse("accounts:login"), {"username": trainee.phone, "password": "wrong"}
    )
    html = response.content.decode()

    summary = re.search(r"<div [^>]*data-error-summary.*?</ul>", html, re.S).group(0)
    assert "<li>" in summary
    assert "href=" not in summary


def test_a_form_without_errors_shows_no_summary(client):
    html = client.get(reverse("accounts:login")).content.decode()

    assert "data-error-summary" not in html
    assert "error-summary.js" not in html
