"""等级报表 against a hand-computed fixture: five people in two communities of
one street (and one with no unit), their joining dates and level events."""

import csv
import io
from datetime import date, datetime, time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from courses.reports import Period
from school import roles
from school.models import Level, OrgUnit
from tests.factories import OrgUnitFactory, UserFactory
from volunteers import level_reports
from volunteers.models import LevelEvent, Promotion

pytestmark = pytest.mark.django_db

R, V, T, M = Level.RESIDENT, Level.VOLUNTEER, Level.TALENT, Level.MANAGER


def noon(day: str) -> datetime:
    return datetime.combine(
        date.fromisoformat(day), time(12), tzinfo=timezone.get_current_timezone()
    )


def moved(person, when, from_level, to_level):
    LevelEvent.objects.create(
        person=person,
        kind=LevelEvent.Kind.PROMOTED,
        from_level=from_level,
        to_level=to_level,
        created_at=noon(when),
    )


def effective(person, when, from_level, to_level):
    Promotion.objects.create(
        person=person,
        from_level=from_level,
        to_level=to_level,
        status=Promotion.Status.EFFECTIVE,
        source=Promotion.Source.AUTOMATIC,
        effective_at=noon(when),
    )


@pytest.fixture
def ladder(db):
    district = OrgUnitFactory(name="报表区", kind=OrgUnit.Kind.DISTRICT)
    street = OrgUnitFactory(parent=district, name="报表街道", kind=OrgUnit.Kind.STREET)
    street.refresh_from_db()
    a = OrgUnitFactory(parent=street, name="甲社区", kind=OrgUnit.Kind.COMMUNITY)
    street.refresh_from_db()
    b = OrgUnitFactory(parent=street, name="乙社区", kind=OrgUnit.Kind.COMMUNITY)
    a.refresh_from_db()
    grid_a = OrgUnitFactory(parent=a, name="甲网格", kind=OrgUnit.Kind.GRID)

    p1 = UserFactory(org_unit=grid_a, level=T, date_joined=noon("2026-01-10"))
    moved(p1, "2026-02-05", R, V)
    moved(p1, "2026-04-10", V, T)
    p2 = UserFactory(org_unit=a, level=V, date_joined=noon("2026-01-20"))
    moved(p2, "2026-01-30", R, V)
    p3 = UserFactory(org_unit=b, level=M, date_joined=noon("2026-03-01"))
    moved(p3, "2026-03-15", R, V)
    moved(p3, "2026-03-31", V, T)
    moved(p3, "2026-05-02", T, M)
    p4 = UserFactory(org_unit=b, level=R, date_joined=noon("2026-02-01"))
    # A flag moves nobody.
    LevelEvent.objects.create(
        person=p4,
        kind=LevelEvent.Kind.FLAGGED,
        from_level=R,
        to_level=R,
        created_at=noon("2026-03-03"),
    )
    UserFactory(org_unit=None, level=R, date_joined=noon("2026-04-01"))
    # Keepers of the system are not on the ladder; nor are disabled accounts.
    UserFactory(is_superuser=True, level=R, date_joined=noon("2026-01-02"))
    UserFactory(is_active=False, level=V, date_joined=noon("2026-01-02"))

    effective(p2, "2026-01-30", R, V)
    effective(p1, "2026-04-10", V, T)
    effective(p3, "2026-05-02", T, M)
    Promotion.objects.create(
        person=p4,
        from_level=R,
        to_level=V,
        status=Promotion.Status.REJECTED,
        source=Promotion.Source.APPLICATION,
    )
    return {"street": street, "a": a, "b": b}


def as_list(table):
    headers, rows = table
    return headers, [list(row) for row in rows]


def test_the_funnel_counts_each_level_per_street_and_community(ladder):
    headers, rows = as_list(level_reports.funnel_by_unit())
    assert headers[:4] == ["单位", "层级", "居民", "居民占比"]
    by_name = {row[0]: row[1:] for row in rows}
    assert by_name["报表街道"] == [
        "街道",
        1,
        "25.0%",
        1,
        "25.0%",
        1,
        "25.0%",
        1,
        "25.0%",
        4,
    ]
    assert by_name["甲社区"] == [
        "社区",
        0,
        "0.0%",
        1,
        "50.0%",
        1,
        "50.0%",
        0,
        "0.0%",
        2,
    ]
    assert by_name["乙社区"] == [
        "社区",
        1,
        "50.0%",
        0,
        "0.0%",
        0,
        "0.0%",
        1,
        "50.0%",
        2,
    ]
    assert by_name["未填写单位"] == [
        "",
        1,
        "100.0%",
        0,
        "0.0%",
        0,
        "0.0%",
        0,
        "0.0%",
        1,
    ]


def test_people_at_each_level_at_each_month_end(ladder):
    months = level_reports.levels_by_month(Period(date(2026, 1, 1), date(2026, 5, 31)))
    assert [(month, [c[R], c[V], c[T], c[M]]) for month, c in months] == [
        (date(2026, 1, 1), [1, 1, 0, 0]),
        (date(2026, 2, 1), [1, 2, 0, 0]),
        (date(2026, 3, 1), [1, 2, 1, 0]),
        (date(2026, 4, 1), [2, 1, 2, 0]),
        (date(2026, 5, 1), [2, 1, 1, 1]),
    ]


def test_the_current_month_shows_todays_levels(ladder):
    months = level_reports.levels_by_month()
    last_month, counts = months[-1]
    assert last_month == timezone.localdate().replace(day=1)
    assert [counts[R], counts[V], counts[T], counts[M]] == [2, 1, 1, 1]
    assert months[0][0] == date(2026, 1, 1)


def test_effective_promotions_per_month_by_target_level(ladder):
    headers, rows = as_list(level_reports.promotions_by_month())
    assert headers == ["月份", "志愿者", "社区能人", "社区主理人", "合计"]
    assert rows == [
        ["2026-01", 1, 0, 0, 1],
        ["2026-04", 0, 1, 0, 1],
        ["2026-05", 0, 0, 1, 1],
    ]


def test_promotions_per_month_within_a_period(ladder):
    _headers, rows = as_list(
        level_reports.promotions_by_month(Period(date(2026, 4, 1), date(2026, 4, 30)))
    )
    assert rows == [["2026-04", 0, 1, 0, 1]]


def test_time_to_each_level_from_joining_and_from_the_previous_level(ladder):
    _headers, rows = as_list(level_reports.times_table())
    assert rows == [
        ["志愿者", 3, 14, 16.7, 14, 16.7],
        ["社区能人", 2, 60.0, 60.0, 40.0, 40.0],
        ["社区主理人", 1, 62, 62.0, 32, 32.0],
    ]


def test_each_report_is_a_fixed_number_of_queries(ladder):
    counts = []
    for extra in (0, 30):
        for _n in range(extra):
            person = UserFactory(org_unit=ladder["a"], level=V)
            moved(person, "2026-02-02", R, V)
            effective(person, "2026-02-02", R, V)
        with CaptureQueriesContext(connection) as queries:
            as_list(level_reports.funnel_by_unit())
            level_reports.levels_by_month()
            as_list(level_reports.promotions_by_month())
            as_list(level_reports.times_table())
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- the admin pages ----------------------------------------------------------------


@pytest.fixture
def admin_user(ladder):
    return UserFactory(role=roles.SCHOOL_ADMIN, is_staff=True)


def test_an_administrator_sees_the_index_and_each_report(client, admin_user):
    client.force_login(admin_user)
    index = client.get("/admin/level-reports/")
    assert index.status_code == 200
    for name in ("funnel", "months", "promotions", "times"):
        page = client.get(f"/admin/level-reports/{name}/")
        assert page.status_code == 200, name
    assert "甲社区" in client.get("/admin/level-reports/funnel/").content.decode()


def test_exports_as_csv_and_xlsx(client, admin_user):
    client.force_login(admin_user)
    response = client.get(
        "/admin/level-reports/promotions/export/csv/",
        {"start": "2026-01-01", "end": "2026-05-31"},
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["月份", "志愿者", "社区能人", "社区主理人", "合计"]
    assert rows[1] == ["2026-01", "1", "0", "0", "1"]
    xlsx = client.get("/admin/level-reports/times/export/xlsx/")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("role", [roles.TRAINEE, roles.COORDINATOR, roles.INSTRUCTOR])
def test_anyone_but_an_administrator_gets_a_404(client, ladder, role):
    client.force_login(UserFactory(role=role, is_staff=True))
    assert client.get("/admin/level-reports/").status_code in (302, 404)
    for url in (
        "/admin/level-reports/funnel/",
        "/admin/level-reports/times/export/csv/",
    ):
        assert client.get(url).status_code in (302, 404)


def test_an_unknown_report_or_format_is_a_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/level-reports/nothing/").status_code == 404
    assert client.get("/admin/level-reports/times/export/pdf/").status_code == 404
