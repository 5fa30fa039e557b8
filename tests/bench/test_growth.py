"""我的成长's cost: the queries to render the page for a person with 10 and with
1000 points entries and level events — equal, since every part is read in one
query (the history is a page of it) whatever the number of entries."""

from datetime import timedelta

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from school.models import Level
from tests.factories import UserFactory
from volunteers import ledger
from volunteers.models import LevelEvent, PointEntry

pytestmark = pytest.mark.django_db


def test_the_growth_page_costs_the_same_queries_for_10_and_1000_entries(
    client, record_figures
):
    counts = {}
    for entries in (10, 1000):
        person = UserFactory(level=Level.VOLUNTEER)
        with transaction.atomic():
            for _ in range(entries):
                ledger.append_entry(person, kind=PointEntry.Kind.CORRECTION, amount=1)
        LevelEvent.objects.bulk_create(
            LevelEvent(
                person=person,
                kind=LevelEvent.Kind.FLAGGED,
                from_level=Level.VOLUNTEER,
                to_level=Level.VOLUNTEER,
                created_at=timezone.now() - timedelta(hours=n),
            )
            for n in range(entries)
        )
        client.force_login(person)
        client.get(reverse("growth:mine"))  # warm caches (site, menus)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("growth:mine"))
        assert page.status_code == 200
        assert page.context["growth"].balance.earned == entries
        counts[entries] = len(queries)
    record_figures(
        growth_page_queries_10_entries=counts[10],
        growth_page_queries_1000_entries=counts[1000],
    )
    assert counts[10] == counts[1000]
