"""Every URL that carries an id answers 404 for an id no database row can have,
never a 500 (an OverflowError on SQLite, a DataError on PostgreSQL)."""

import re

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

import pytest

from school.ids import MAX_ID, is_out_of_range
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"
ARGUMENT = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _routes(resolver: URLResolver, prefix: str = ""):
    """Every path() route of the URLconf, with its prefix (re_path() ones carry no
    converter, so nothing of theirs is taken for an id)."""
    for entry in resolver.url_patterns:
        route = getattr(entry.pattern, "_route", None)
        if route is None:
            continue
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route


def _with_huge_ids(route: str) -> str | None:
    """The route with every id argument a huge number and other arguments plain
    words; None when it carries no id."""
    carries_id = False

    def argument(match: re.Match) -> str:
        nonlocal carries_id
        converter, name = match["converter"] or "str", match["name"]
        if converter == "int" or is_out_of_range(name, HUGE):
            carries_id = True
            return HUGE
        if converter == "uuid":
            return "00000000-0000-0000-0000-000000000000"
        return "x"

    url = "/" + ARGUMENT.sub(argument, route)
    return url if carries_id else None


def _urls_with_ids() -> list[str]:
    return sorted(
        {url for route in _routes(get_resolver()) if (url := _with_huge_ids(route))}
    )


def test_the_urlconf_has_many_urls_with_ids():
    # The walk below must see the project's and Wagtail's id URLs, or it tests nothing.
    urls = _urls_with_ids()
    assert f"/verify/issuers/{HUGE}/" in urls
    assert f"/learning/lessons/{HUGE}/complete/" in urls
    assert any(url.startswith(f"/admin/pages/{HUGE}/") for url in urls)
    assert len(urls) > 50


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_url_with_an_out_of_range_id_is_404(method, grid_school):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    answers = {
        url: getattr(client, method)(url).status_code for url in _urls_with_ids()
    }
    wrong = {url: status for url, status in answers.items() if status != 404}
    assert wrong == {}


@pytest.mark.parametrize(
    "url",
    [
        f"/verify/issuers/{HUGE}/",
        f"/learning/lessons/{HUGE}/complete/",
        f"/learning/lessons/{HUGE}/quiz/",
    ],
)
def test_the_reported_urls_are_404_for_a_visitor_too(client, url):
    assert client.get(url).status_code in (404, 405)
    assert client.post(url).status_code == 404


def test_the_largest_possible_id_is_still_looked_up():
    assert not is_out_of_range("pk", MAX_ID)
    assert not is_out_of_range("pk", str(MAX_ID))
    assert is_out_of_range("pk", MAX_ID + 1)
    assert is_out_of_range("school_id", str(MAX_ID + 1))
    assert not is_out_of_range("code", HUGE)  # a verification code is not an id
