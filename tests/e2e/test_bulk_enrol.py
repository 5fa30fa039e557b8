"""An administrator bulk-enrols a grid into a class in a real browser: the unit is
found by typing, the page first says how many it will enrol and who is left out,
and only the confirmation enrols them."""

import re

import pytest
from playwright.sync_api import Page, expect

from courses.models import Enrollment
from school import roles
from school.models import OrgUnit
from tests.e2e.axe import assert_no_serious_violations
from tests.e2e.steps import admin_log_in
from tests.factories import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def residents(community):
    """Three trainees of 桃园社区 第2网格."""
    grid = OrgUnitFactory(parent=community, name="第2网格", kind=OrgUnit.Kind.GRID)
    return [
        UserFactory(real_name=f"居民{n}", org_unit=grid, role=roles.TRAINEE)
        for n in range(3)
    ]


@pytest.mark.parametrize("tab", ["page", "phone_page"])
def test_administrator_bulk_enrols_a_grid_after_confirming_the_count(
    tab, request, live_server, school_admin, training_class, residents
):
    page: Page = request.getfixturevalue(tab)
    admin_log_in(page, live_server.url, school_admin.phone)
    page.goto(f"{live_server.url}/admin/training-classes/roster/{training_class.pk}/")
    page.get_by_role("link", name="按单位批量报名").click()

    page.get_by_label("单位").fill("测试街道 › 桃园社区 › 第2网格")
    page.get_by_role("button", name="下一步：核对人数").click()

    expect(page.get_by_text("将报名：3 人")).to_be_visible()
    expect(page.get_by_text("已在本班：0 人")).to_be_visible()
    assert not Enrollment.objects.exists()  # nothing happens before confirming
    assert_no_serious_violations(page)

    page.get_by_role("button", name=re.compile("确认报名 3 人")).click()

    expect(page.get_by_role("status", name="报名结果")).to_contain_text(
        "报名成功：3 人"
    )
    assert set(
        Enrollment.objects.filter(training_class=training_class).values_list(
            "trainee_id", flat=True
        )
    ) == {person.pk for person in residents}
