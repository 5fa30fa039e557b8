"""Each figure of the dashboard on the hand-made world of conftest.py: exact
numbers, narrowed by unit and by dates."""

from datetime import date
from decimal import Decimal

import pytest

from courses.reports import Period
from dashboards.figures import (
    Filters,
    all_figures,
    attendance,
    certificates,
    classes_by_level,
    completion,
    default_period,
    level_funnel,
    person_times,
    points,
    satisfaction,
    site_weeks,
    space_weeks,
)

pytestmark = pytest.mark.django_db


def by_name(figure) -> dict:
    return {row[0]: row[1:] for row in figure.rows}


def test_classes_held_by_level_and_tier(world):
    figure = classes_by_level(world.filters)
    assert figure.headers == [
        "班级级别",
        "基础通识班",
        "专项技能班",
        "领导力提升班",
        "合计",
    ]
    assert by_name(figure) == {
        "省级": [0, 0, 0, 0],
        "市级": [0, 1, 0, 1],
        "区级": [1, 0, 0, 1],
        "合计": [1, 1, 0, 2],
    }
    assert figure.series[0].data == [0, 0, 1]  # 基础通识班 by level


def test_classes_of_a_unit_are_those_its_people_enrolled_in(world):
    rows = by_name(classes_by_level(Filters(world.filters.period, world.grid)))
    # 张三 withdrew from the city class: only the district one counts.
    assert rows["合计"] == [1, 0, 0, 1]
    rows = by_name(classes_by_level(Filters(world.filters.period, world.other_grid)))
    assert rows["合计"] == [0, 1, 0, 1]


def test_person_times_per_month_by_level(world):
    rows = by_name(person_times(world.filters))
    assert list(rows)[:6] == [f"2025-0{m}" for m in range(1, 7)]
    assert rows["2025-03"] == [0, 0, 2, 2]  # present + late, the cancelled one not
    assert rows["2025-04"] == [0, 1, 0, 1]  # the absent mark is no person-time
    assert rows["合计"] == [0, 1, 2, 3]


def test_person_times_of_a_community(world):
    rows = by_name(person_times(Filters(world.filters.period, world.community)))
    assert rows["合计"] == [0, 0, 2, 2]


def test_completion_rate_by_month_the_class_ends(world):
    rows = by_name(completion(world.filters))
    assert rows["2025-03"] == [2, 1, Decimal("50.0")]
    assert rows["2025-04"] == [1, 1, Decimal("100.0")]  # the withdrawn one not
    assert rows["2025-05"] == [0, 0, None]
    assert rows["合计"] == [3, 2, Decimal("66.7")]


def test_attendance_rate_per_month(world):
    rows = by_name(attendance(world.filters))
    assert rows["2025-03"] == [1, 1, 0, 0, 75]
    assert rows["2025-04"] == [1, 0, 0, 1, 50]
    assert rows["2025-01"] == [0, 0, 0, 0, None]
    assert rows["合计"] == [2, 1, 0, 1, 62]


def test_satisfaction_rate_per_month(world):
    rows = by_name(satisfaction(world.filters))
    assert rows["2025-03"] == [2, 1, Decimal("4.00"), Decimal("50.0")]
    assert rows["2025-04"] == [1, 1, Decimal("4.00"), Decimal("100.0")]
    assert rows["合计"] == [3, 2, Decimal("4.00"), Decimal("66.7")]
    rows = by_name(satisfaction(Filters(world.filters.period, world.other_community)))
    assert rows["合计"] == [1, 1, Decimal("4.00"), Decimal("100.0")]


def test_certificates_issued_per_month_by_kind(world):
    figure = certificates(world.filters)
    assert figure.headers[1:4] == ["结业证书", "志愿服务记录证明", "聘书"]
    rows = by_name(figure)
    assert rows["2025-03"] == [0, 1, 0, 1]
    assert rows["2025-04"] == [0, 1, 1, 2]
    assert rows["合计"] == [0, 2, 1, 3]  # the one of December 2024 is outside


def test_practice_sites_by_week_are_booked_over_seats(world):
    figure = site_weeks(world.filters)
    assert figure.headers[1] == "12-30"  # the week of 1 January 2025
    assert figure.headers[-1] == "06-30"
    rows = by_name(figure)
    assert list(rows) == ["杏林社区服务站", "桃园社区党群服务中心"]
    peach = dict(zip(figure.headers[1:], rows["桃园社区党群服务中心"], strict=True))
    apricot = dict(zip(figure.headers[1:], rows["杏林社区服务站"], strict=True))
    assert peach["03-03"] == Decimal("40.0")
    assert peach["03-10"] is None  # cancelled
    assert apricot["04-07"] == Decimal("25.0")
    assert sum(cell is not None for cell in peach.values()) == 1
    only = site_weeks(Filters(world.filters.period, world.other_community))
    assert [row[0] for row in only.rows] == ["杏林社区服务站"]


def test_community_spaces_by_week_are_booked_over_open_time(world):
    figure = space_weeks(world.filters)
    row = dict(zip(figure.headers[1:], figure.rows[0][1:], strict=True))
    assert figure.rows[0][0] == "活动室"
    assert row["03-03"] == Decimal("50.0")
    assert row["03-10"] == Decimal("0.0")
    assert row["12-30"] is None  # its Monday lies before the period
    assert space_weeks(Filters(world.filters.period, world.other_community)).rows == []


def test_level_funnel_counts_people_reaching_each_level(world):
    rows = by_name(level_funnel(world.filters))
    # 王管理 and 李四 are residents, 张三 a volunteer, 王五 a community talent.
    assert rows["居民"] == [2, 4, Decimal("100.0")]
    assert rows["志愿者"] == [1, 2, Decimal("50.0")]
    assert rows["社区能人"] == [1, 1, Decimal("25.0")]
    assert rows["社区主理人"] == [0, 0, Decimal("0.0")]
    rows = by_name(level_funnel(Filters(world.filters.period, world.other_grid)))
    assert rows["社区能人"] == [1, 1, Decimal("100.0")]


def test_points_issued_and_redeemed_per_month(world):
    rows = by_name(points(world.filters))
    assert rows["2025-03"] == [50, 0, 0, 0]
    assert rows["2025-04"] == [30, 30, 20, 10]
    assert rows["合计"] == [80, 30, 20, 10]
    rows = by_name(points(Filters(world.filters.period, world.other_grid)))
    assert rows["合计"] == [30, 0, 0, 0]


def test_dates_narrow_every_figure(world):
    march = Filters(Period(date(2025, 3, 1), date(2025, 3, 31)))
    assert by_name(person_times(march))["合计"] == [0, 0, 2, 2]
    assert by_name(points(march))["合计"] == [50, 0, 0, 0]
    assert by_name(certificates(march))["合计"] == [0, 1, 0, 1]
    assert by_name(classes_by_level(march))["合计"] == [0, 1, 0, 1]


def test_the_default_period_is_the_last_twelve_months():
    period = default_period(date(2025, 6, 15))
    assert (period.start, period.end) == (date(2024, 7, 1), date(2025, 6, 15))


def test_every_figure_is_a_table_and_a_chart(world):
    for figure in all_figures(world.filters):
        headers, rows = figure.table()
        assert all(len(row) == len(headers) for row in rows), figure.name
        data = figure.chart_data()
        if not figure.is_heat_map:
            assert all(
                len(series["data"]) == len(data["labels"]) for series in data["series"]
            ), figure.name
