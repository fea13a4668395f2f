"""What the browser tests do on a page: check it with axe-core, and move through it
with the keyboard as a person who uses no mouse does."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page

AXE = Path(__file__).parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA: what the RGAA refers to.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@cache
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(
            f"axe-core is missing ({AXE}): run `make install-test`.", pytrace=False
        )
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG A/AA violations on the page as it is now.

    axe goes in through the DevTools protocol, which the page's CSP does not govern:
    `add_script_tag` adds an inline script, which the CSP rightly blocks, and
    bypassing the CSP in the tests would hide the pages' own breaches of it.
    """
    page.evaluate(axe_source())
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return results["violations"]


def check_accessibility(page: Page) -> None:
    """Fail with every WCAG A/AA violation axe-core finds on the page."""
    violations = axe_violations(page)
    assert not violations, f"axe-core on {page.url}:\n{describe(violations)}"


def describe(violations: list[dict[str, Any]]) -> str:
    """Each violated rule with its impact and help page, then each element."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"<{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            lines.append(f"    {json.dumps(node['target'])}: {node['html'][:200]}")
    return "\n".join(lines)


def focused(page: Page) -> str:
    """The focused element in a few words, for assertion messages."""
    return page.evaluate(
        """() => {
            const element = document.activeElement;
            if (!element || element === document.body) return "body";
            const id = element.id ? "#" + element.id : "";
            const text = (element.innerText || element.value || "").trim();
            return `${element.tagName.toLowerCase()}${id} "${text.slice(0, 40)}"`;
        }"""
    )


def is_focused(locator: Locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page: Page, locator: Locator, limit: int = 60, back: bool = False) -> int:
    """Press Tab (Shift+Tab if `back`) until `locator` has the focus; return how
    many presses it took."""
    key = "Shift+Tab" if back else "Tab"
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if is_focused(locator):
            return presses
    raise AssertionError(f"{limit} × {key} never reached {locator}: {focused(page)}")
