"""Fixtures shared by every test: the org tree, the two schools, one user per role,
and what the tests of several apps learn and certify with: a catalogue with a
course, its lessons (one with a quiz) and an open class; a school certificate
template, a trainee who completed the class, and that trainee's certificate."""

from wagtail.models import Page, Site

import pytest

from certificates import services as certificate_services
from courses.models import Enrollment
from school import roles
from school.models import SchoolPage
from tests.certificates.factories import (
    CertificateTemplateFactory,
    completed_enrollment,
)
from tests.courses.factories import (
    ClassSessionFactory,
    CourseIndexPageFactory,
    CoursePageFactory,
    LessonPageFactory,
    TrainingClassFactory,
    quiz_body,
)
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
def steady_rate_windows(monkeypatch):
    """school.throttling's clock held still, ten seconds into a fresh hour: a
    test counting hits against a fixed window never sees the window roll over
    half-way (a slow run once crossed a minute and got a 200 for its 429)."""
    import time
    from types import SimpleNamespace

    from school import throttling

    held = (time.time() // 3600 + 1) * 3600 + 10
    monkeypatch.setattr(throttling, "time", SimpleNamespace(time=lambda: held))
    return held


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


# --- learning ----------------------------------------------------------------------


@pytest.fixture
def course_index(grid_school):
    return CourseIndexPageFactory(parent=grid_school, title="课程", slug="courses")


@pytest.fixture
def course(course_index):
    return CoursePageFactory(parent=course_index, title="公益理念", slug="gong-yi")


@pytest.fixture
def lessons(course):
    """Two lessons; the second ends in a quiz (pass mark 60, 2 attempts)."""
    first = LessonPageFactory(parent=course, title="第一课 志愿服务是什么", slug="l1")
    second = LessonPageFactory(
        parent=course, title="第二课 服务礼仪", slug="l2", body=quiz_body()
    )
    return [first, second]


@pytest.fixture
def training_class(course):
    return TrainingClassFactory(course=course, capacity=30)


@pytest.fixture
def class_session(training_class, practice_site, instructor):
    """A session of the class at the practice site, three days from now, 20 seats."""
    session = ClassSessionFactory(
        training_class=training_class, practice_site=practice_site, seats=20
    )
    session.instructors.add(instructor)
    return session


@pytest.fixture
def active_enrollment(training_class, trainee):
    """The trainee studying in the class (holding a seat)."""
    return Enrollment.objects.create(
        training_class=training_class, trainee=trainee, status=Enrollment.Status.ACTIVE
    )


# --- certificates ------------------------------------------------------------------


@pytest.fixture
def certificate_template(grid_school):
    return CertificateTemplateFactory(school=grid_school, name="网格学校结业证书")


@pytest.fixture
def enrollment(training_class, trainee):
    """The trainee's enrolment in the class, completed. Tests of learning itself
    define their own, still active."""
    return completed_enrollment(training_class, trainee)


@pytest.fixture
def certificate(enrollment, certificate_template):
    """Issued to the trainee, not yet rendered."""
    return certificate_services.issue_certificate(
        enrollment, template=certificate_template, deliver=False
    )
