"""The layout holds on the narrowest phone and on short pages: nothing scrolls
sideways at 320 px, the first heading keeps its distance from the header, and the
footer sits at the bottom of the window when the page is shorter than it. The focus
ring and the fields' borders stand out from the page (WCAG 1.4.11)."""

import re

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.axe import assert_no_serious_violations
from tests.e2e.steps import log_in

pytestmark = pytest.mark.e2e

NARROWEST_PHONE = {"width": 320, "height": 640}
# The gap, in CSS pixels, between the header's bottom edge and the first heading.
HEADING_CLEARANCE = 16

MEASURE = """() => {
  const header = document.querySelector(".site-header").getBoundingClientRect();
  const heading = document.querySelector("main h1").getBoundingClientRect();
  const footer = document.querySelector(".site-footer").getBoundingClientRect();
  return {
    scrollWidth: document.scrollingElement.scrollWidth,
    headingGap: heading.top - header.bottom,
    footerBottom: footer.bottom + window.scrollY,
    documentHeight: document.scrollingElement.scrollHeight,
  };
}"""


def _measure(page: Page, url: str) -> dict:
    page.goto(url)
    return page.evaluate(MEASURE)


def test_no_page_of_the_trainee_journey_scrolls_sideways_on_a_320px_phone(
    browser: Browser, live_server, grid_school, volunteer_academy, certificate, trainee
):
    context = browser.new_context(viewport=NARROWEST_PHONE, locale="zh-CN")
    page = context.new_page()
    pages = ["/", "/accounts/login/", "/accounts/signup/", "/verify/"]
    pages.append(f"/verify/{certificate.code}/")
    too_wide = {}
    for path in pages:
        measured = _measure(page, live_server.url + path)
        if measured["scrollWidth"] > NARROWEST_PHONE["width"]:
            too_wide[path] = measured["scrollWidth"]
        assert measured["headingGap"] >= HEADING_CLEARANCE, path
    log_in(page, live_server.url, trainee.phone)
    measured = _measure(page, live_server.url + "/learning/")
    if measured["scrollWidth"] > NARROWEST_PHONE["width"]:
        too_wide["/learning/"] = measured["scrollWidth"]
    context.close()
    assert not too_wide, f"wider than 320 px: {too_wide}"


def test_the_footer_sits_at_the_bottom_of_a_short_page(
    page: Page, live_server, grid_school
):
    measured = _measure(page, live_server.url + "/verify/")
    window_height = page.viewport_size["height"]

    assert measured["documentHeight"] == window_height
    assert measured["footerBottom"] == pytest.approx(window_height, abs=1)
    assert_no_serious_violations(page)


FOCUSED_FIELD_COLOURS = """(field) => {
  const style = getComputedStyle(field);
  return {
    ring: style.outlineColor,
    ringStyle: style.outlineStyle,
    border: style.borderTopColor,
    page: getComputedStyle(document.body).backgroundColor,
  };
}"""


def _luminance(colour: str) -> float:
    red, green, blue = (int(part) / 255 for part in re.findall(r"\d+", colour)[:3])
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        for c in (red, green, blue)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two CSS rgb() colours."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_focus_ring_and_the_field_borders_contrast_3_to_1_with_the_page(
    page: Page, live_server
):
    page.goto(live_server.url + "/accounts/login/")
    field = page.get_by_label("手机号")
    field.focus()
    colours = field.evaluate(FOCUSED_FIELD_COLOURS)

    assert colours["ringStyle"] == "solid"
    for background in (colours["page"], "rgb(255, 255, 255)"):
        assert contrast(colours["ring"], background) >= 3, colours
        assert contrast(colours["border"], background) >= 3, colours
