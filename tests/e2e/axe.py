"""axe-core in the browser tests: a page has no serious or critical accessibility
violation.

axe-core comes from npm (package.json; ``make test`` runs ``npm ci``) and is read
from node_modules, never fetched. The site's Content-Security-Policy allows only
scripts from the site itself or with its nonce, so a ``<script>`` tag holding axe
would be blocked; Playwright's ``evaluate`` runs through the DevTools protocol,
which the policy does not govern.
"""

from functools import cache
from pathlib import Path

import pytest
from playwright.sync_api import Page

AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules/axe-core/axe.min.js"
FAILING_IMPACTS = ("serious", "critical")

RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((node) => node.target.join(" ")),
  }));
}"""


SETTLE_ANIMATIONS = """async () => {
  const finite = document.getAnimations().filter(
    (animation) => animation.effect?.getComputedTiming().endTime !== Infinity
  );
  await Promise.all(finite.map((animation) => animation.finished.catch(() => null)));
}"""


@cache
def _axe_source() -> str:
    if not AXE_PATH.exists():
        pytest.fail(f"axe-core is not installed at {AXE_PATH} (run `npm ci`)")
    return AXE_PATH.read_text(encoding="utf-8")


def serious_violations(page: Page) -> list[str]:
    """The serious and critical axe-core violations on the page as it stands, one
    readable line each (rule, impact, what it asks, where)."""
    # A banner still fading in (Wagtail's messages) has, for that moment, too
    # little contrast: let finite animations finish before judging colours.
    page.evaluate(SETTLE_ANIMATIONS)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Wrapped in a function so that Playwright runs it as a statement list.
        page.evaluate(f"() => {{ {_axe_source()}\n }}")
    violations = page.evaluate(RUN_AXE)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {', '.join(v['targets'][:5])}"
        for v in violations
        if v["impact"] in FAILING_IMPACTS
    ]


def assert_no_serious_violations(page: Page) -> None:
    """Fail, listing them, if axe-core finds serious or critical violations on
    the page."""
    found = serious_violations(page)
    assert not found, f"axe-core on {page.url}:\n" + "\n".join(found)
