"""Fixtures shared by every test: the org tree, the two schools, one user per role."""

from wagtail.models import Page, Site

import pytest

from school import roles
from school.models import SchoolPage
from tests.factories import (
    PracticeSiteFactory,
    SchoolPageFactory,
    UserFactory,
    community_with_grid,
)

DJANGO_DB_MARKER_ARGS = (
    "transaction",
    "reset_sequences",
    "databases",
    "serialized_rollback",
    "available_apps",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every transactional test starts from the migrated database.

    A transactional test (``django_db(transaction=True)``, ``transactional_db``,
    ``live_server``) ends by emptying every table, which also deletes what data
    migrations created: the role groups (school 0003) and Wagtail's root page,
    locale and editor groups. The next transactional test would then fail in a
    fixture far from the cause. ``serialized_rollback`` snapshots the database
    once after migrating and reloads it before each such test, so it is switched
    on for all of them rather than left for each test to remember.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        options = {}
        if marker is not None:
            options = dict(zip(DJANGO_DB_MARKER_ARGS, marker.args, strict=False))
            options.update(marker.kwargs)
        fixtures = getattr(item, "fixturenames", ())
        transactional = (
            options.get("transaction")
            or options.get("reset_sequences")
            or "transactional_db" in fixtures
            or "live_server" in fixtures
        )
        if transactional and not options.get("serialized_rollback"):
            options.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**options), append=False)


@pytest.fixture(autouse=True)
def _isolated_axes_and_cache(settings):
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org_units(db):
    """(community, grid): a 桃园社区 with its 第1网格, under a street and a district."""
    return community_with_grid()


@pytest.fixture
def community(org_units):
    return org_units[0]


@pytest.fixture
def grid(org_units):
    return org_units[1]


@pytest.fixture
def trainee(grid):
    return UserFactory(real_name="张三", org_unit=grid, role=roles.TRAINEE)


@pytest.fixture
def other_trainee(grid):
    return UserFactory(real_name="李四", org_unit=grid, role=roles.TRAINEE)


@pytest.fixture
def instructor(grid):
    return UserFactory(real_name="李讲师", org_unit=grid, role=roles.INSTRUCTOR)


@pytest.fixture
def site_host(grid):
    return UserFactory(real_name="赵站长", org_unit=grid, role=roles.SITE_HOST)


@pytest.fixture
def school_admin(grid):
    return UserFactory(real_name="王管理", org_unit=grid, role=roles.SCHOOL_ADMIN)


@pytest.fixture
def practice_site(community, site_host):
    site = PracticeSiteFactory(name="桃园社区党群服务中心", org_unit=community)
    site.hosts.add(site_host)
    return site


@pytest.fixture
def grid_school(db) -> SchoolPage:
    """The Grid School as the default site's root page, as seed_demo sets it up."""
    root = Page.get_first_root_node()
    for page in root.get_children():
        page.delete()
    school = SchoolPageFactory(
        parent=root,
        title="网格学校",
        slug="grid-school",
        kind=SchoolPage.Kind.GRID_SCHOOL,
        display_name="测试区网格学校",
        certificate_prefix="WGXX",
    )
    Site.objects.all().delete()
    Site.objects.create(
        hostname="localhost", port=80, root_page=school, is_default_site=True
    )
    return school


@pytest.fixture
def volunteer_academy(grid_school) -> SchoolPage:
    return SchoolPageFactory(
        parent=grid_school,
        title="志愿者培训学院",
        slug="volunteer-academy",
        kind=SchoolPage.Kind.VOLUNTEER_ACADEMY,
        display_name="测试街道志愿者培训学院",
        certificate_prefix="ZYXY",
    )
