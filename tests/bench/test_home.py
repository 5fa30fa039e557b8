"""How long the Grid School home page takes, against a bare Django view."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from school import demo
from tests.bench.conftest import medians_ms
from tests.bench.urls import HELLO_PATH

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.bench.urls")]

DEMO_TRAINEES = 2_000


@pytest.fixture
def demo_schools():
    demo.seed_org_tree()
    demo.seed_schools()
    demo.seed_demo_accounts()
    demo.seed_practice_sites()
    demo.seed_trainees(DEMO_TRAINEES)


def test_home_page_against_a_bare_view(client, demo_schools, record_figures):
    def home():
        response = client.get("/")
        assert response.status_code == 200

    def hello():
        response = client.get(HELLO_PATH)
        assert response.content == b"hello"

    medians = medians_ms({"home": home, "hello": hello}, runs=50, warmup=10)
    with CaptureQueriesContext(connection) as queries:
        home()

    record_figures(
        home_p50_ms=medians["home"],
        hello_p50_ms=medians["hello"],
        home_over_hello=medians["home"] / medians["hello"],
        home_queries=len(queries),
    )
