"""The home page costs the same number of queries however big the schools grow."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from school.demo import seed_trainees
from tests.factories import PracticeSiteFactory

pytestmark = pytest.mark.django_db


def _home_page_queries(client, *, cold: bool) -> tuple[int, dict]:
    client.get("/")  # warm-up: Wagtail caches the site root paths
    if cold:
        cache.clear()  # as when the headline figures' minute has run out
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    return len(queries), response.context["stats"]


def test_home_page_queries_do_not_grow_with_trainees_or_sites(
    client, grid_school, volunteer_academy, community
):
    seed_trainees(10)
    PracticeSiteFactory.create_batch(3, org_unit=community)
    small_cold, small_stats = _home_page_queries(client, cold=True)
    small_warm, _ = _home_page_queries(client, cold=False)

    seed_trainees(500)
    PracticeSiteFactory.create_batch(27, org_unit=community)
    large_cold, large_stats = _home_page_queries(client, cold=True)
    large_warm, _ = _home_page_queries(client, cold=False)

    assert (small_stats["trainees"], small_stats["sites"]) == (10, 3)
    assert (large_stats["trainees"], large_stats["sites"]) == (500, 30)
    assert small_cold == large_cold
    assert small_warm == large_warm
    assert large_warm < large_cold


def test_headline_figures_are_at_most_a_minute_old(client, grid_school, community):
    PracticeSiteFactory(org_unit=community)
    assert client.get("/").context["stats"]["sites"] == 1
    PracticeSiteFactory(org_unit=community)
    assert client.get("/").context["stats"]["sites"] == 1  # from the cache
    cache.clear()
    assert client.get("/").context["stats"]["sites"] == 2
