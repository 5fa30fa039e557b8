"""How long loading 20,000 demo trainees takes (`seed_demo --trainees 20000`)."""

import time

import pytest

from school import demo
from school.models import User

TRAINEES = 20_000


@pytest.mark.django_db(transaction=True)
def test_seeding_twenty_thousand_trainees(record_figures):
    demo.seed_org_tree()

    started = time.perf_counter()
    created = demo.seed_trainees(TRAINEES)
    elapsed = time.perf_counter() - started

    assert created == TRAINEES
    assert User.objects.count() == TRAINEES
    record_figures(seed_20000_trainees_s=elapsed)
