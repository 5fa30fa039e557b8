"""The home page costs the same number of queries however big the schools grow."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from school.demo import seed_trainees
from tests.factories import PracticeSiteFactory

pytestmark = pytest.mark.django_db


def _home_page_queries(client) -> int:
    client.get("/")  # warm-up: Wagtail caches the site root paths
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    return len(queries)


def test_home_page_queries_do_not_grow_with_trainees_or_sites(
    client, grid_school, volunteer_academy, community, grid, django_assert_num_queries
):
    seed_trainees(10)
    PracticeSiteFactory.create_batch(3, org_unit=community)
    small = _home_page_queries(client)

    seed_trainees(500)
    PracticeSiteFactory.create_batch(27, org_unit=community)
    client.get("/")
    with django_assert_num_queries(small):
        response = client.get("/")

    assert response.status_code == 200
    assert response.context["stats"]["trainees"] == 500
    assert response.context["stats"]["sites"] == 30
