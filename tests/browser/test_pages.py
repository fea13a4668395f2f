"""The information and error pages in a real browser: accessible to axe-core,
usable with the keyboard, and readable without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import check_accessibility, focused, is_focused

# One worker, one server, one browser (conftest.py).
pytestmark = pytest.mark.xdist_group("browser")

PAGES = [
    ("/", 200, "Découvrez les aides auxquelles vous avez droit"),
    ("/donnees-personnelles", 200, "Données personnelles"),
    ("/accessibilite", 200, "Déclaration d'accessibilité"),
    ("/cette-page-n-existe-pas", 404, "Page introuvable"),
]


@pytest.mark.parametrize(("path", "status", "h1"), PAGES)
def test_page_has_no_wcag_violation_found_by_axe(page: Page, path, status, h1):
    response = page.goto(path)

    assert response is not None and response.status == status
    expect(page.get_by_role("heading", level=1)).to_have_text(h1)
    check_accessibility(page)


def test_first_tab_reaches_the_skip_link_and_enter_moves_the_focus_to_main(
    page: Page,
):
    page.goto("/")

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Aller au contenu")
    assert is_focused(skip_link), f"first Tab is on {focused(page)}"
    expect(skip_link).to_be_visible()

    page.keyboard.press("Enter")
    assert is_focused(page.locator("main")), f"after Enter: {focused(page)}"
    # The next Tab goes on from the main content, not from the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null"), focused(
        page
    )


def test_home_page_is_complete_without_javascript(make_context):
    page = make_context(java_script_enabled=False).new_page()

    page.goto("/")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Découvrez les aides auxquelles vous avez droit"
    )


@pytest.mark.parametrize(("path", "status", "h1"), PAGES[:3])
def test_pages_fit_a_phone_screen_without_sideways_scrolling(
    make_context, path, status, h1
):
    # A common small phone: 360 × 640 CSS pixels.
    page = make_context(viewport={"width": 360, "height": 640}).new_page()

    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(h1)
    assert_fits(page, path)


def test_a_question_page_fits_a_phone_screen(make_context):
    page = make_context(viewport={"width": 360, "height": 640}).new_page()

    page.goto("/simulation")  # the first question
    page.get_by_role("button", name="Continuer").click()  # and its error summary

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_fits(page, page.url)


def assert_fits(page, where: str) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{where} is {overflow} px wider than a phone screen"
