"""数据看板 in a real browser: a school leader opens /dashboard/ at phone and
desktop width; Chart.js (served locally) draws every chart under the site's
Content-Security-Policy, nothing scrolls sideways and axe-core finds no serious
or critical violation. The phone asks for reduced motion, so charts draw without
animation."""

import pytest
from playwright.sync_api import Browser

from tests.dashboards.conftest import leader, world  # noqa: F401 (fixtures)
from tests.e2e.axe import assert_no_serious_violations
from tests.e2e.steps import log_in

pytestmark = pytest.mark.e2e

QUERY = "?start=2025-01-01&end=2025-06-30"
DRAWN = """() => Array.from(document.querySelectorAll("canvas[data-chart]")).map(
  (canvas) => Boolean(window.Chart && window.Chart.getChart(canvas) && canvas.width)
)"""
ANIMATED = """() => Array.from(document.querySelectorAll("canvas[data-chart]")).map(
  (canvas) => window.Chart.getChart(canvas).options.animation !== false
)"""


@pytest.mark.parametrize(
    ("width", "height", "motion"),
    [(360, 740, "reduce"), (1280, 800, "no-preference")],
    ids=["phone", "desktop"],
)
def test_a_leader_reads_the_dashboard(
    browser: Browser,
    live_server,
    world,  # noqa: F811
    leader,  # noqa: F811
    artifacts_dir,
    width,
    height,
    motion,
):
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale="zh-CN",
        reduced_motion=motion,
    )
    page = context.new_page()
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    try:
        log_in(page, live_server.url, leader.phone)
        page.goto(live_server.url + "/dashboard/" + QUERY)
        page.wait_for_function(
            "() => document.querySelectorAll('canvas[data-chart]').length > 0"
            " && window.Chart !== undefined"
        )
        drawn = page.evaluate(DRAWN)
        assert drawn and all(drawn)
        assert any(page.evaluate(ANIMATED)) == (motion != "reduce")
        assert page.get_by_role("table", name="实践教学点使用率（按周）（数据表）")
        scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
        assert scroll_width <= width
        assert not refused
        assert_no_serious_violations(page)
        page.screenshot(path=artifacts_dir / f"dashboard-{width}.png", full_page=True)
    finally:
        context.close()
