"""French by default, English on request: the catalog is complete and up to date,
the switch is a link that comes back to the same page, and English pages keep no
French of the templates."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tests.pages import parse_page
from tests.webapp.journey import SINGLE_IN_RENNES, SUMMARY_PATH, Journey
from webapp.i18n import compile_catalogs

ROOT = Path(__file__).parents[2]
CATALOG = ROOT / "webapp" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def catalog_messages() -> dict[str, str]:
    with CATALOG.open("rb") as stream:
        catalog = read_po(stream)
    return {message.id: message for message in catalog if message.id}


def source_messages() -> set[str]:
    """Every message the code and the templates ask to translate."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as stream:
        method_map, options_map = parse_mapping_cfg(stream)
    return {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map
        )
    }


def test_every_message_has_an_english_translation_that_is_not_fuzzy():
    for msgid, message in catalog_messages().items():
        assert message.string and message.string.strip(), f"untranslated: {msgid!r}"
        assert not message.fuzzy, f"fuzzy: {msgid!r}"
        assert set(PLACEHOLDER.findall(msgid)) == set(
            PLACEHOLDER.findall(message.string)
        ), f"placeholders differ: {msgid!r}"


def test_the_catalog_holds_every_message_of_the_code_and_templates_and_no_other():
    in_sources = source_messages()
    in_catalog = set(catalog_messages())

    assert not in_sources - in_catalog, "run `make translations` and translate them"
    assert not in_catalog - in_sources, "obsolete messages: run `make translations`"


def test_missing_or_stale_compiled_catalogs_are_compiled(tmp_path: Path):
    folder = tmp_path / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(CATALOG, folder / "messages.po")

    compile_catalogs(tmp_path)

    assert (folder / "messages.mo").stat().st_size > 1000


# -- the switch ------------------------------------------------------------------------


def test_pages_are_in_french_by_default_with_a_link_to_english(client):
    page = parse_page(client.get("/").get_data(as_text=True))

    assert page.lang == "fr"
    assert page.text_of("changer-de-langue") == "English"
    assert page.link_to("/langue/en?suivant=/")


def test_the_switch_comes_back_to_the_same_page_in_english_and_remembers(client):
    response = client.get("/langue/en?suivant=/accessibilite")
    assert response.status_code == 302
    assert response.location == "/accessibilite"

    journey = Journey(client, lang="en")
    page = journey.get("/accessibilite")
    assert page.h1 == ["Accessibility statement"]
    assert page.text_of("changer-de-langue") == "Français"
    assert journey.get("/donnees-personnelles").h1 == ["Personal data"]

    client.get("/langue/fr?suivant=/")
    assert parse_page(client.get("/").get_data(as_text=True)).lang == "fr"


@pytest.mark.parametrize(
    "target", ["https://example.org/", "//example.org/", "/\\example.org", ""]
)
def test_the_switch_never_leads_to_another_site(client, target):
    response = client.get("/langue/en", query_string={"suivant": target})

    assert response.location == "/"


def test_an_unknown_language_leaves_french(client):
    client.get("/langue/de?suivant=/")

    assert parse_page(client.get("/").get_data(as_text=True)).lang == "fr"


# -- no French left in English pages ---------------------------------------------------


def french_fragments() -> list[str]:
    """Pieces of the French messages long enough to be recognised on a page."""
    fragments = []
    for msgid, message in catalog_messages().items():
        for piece in PLACEHOLDER.split(re.sub(r"<[^>]+>", " ", msgid)):
            piece = " ".join(piece.split())
            english = " ".join(message.string.split())
            if len(piece) >= 14 and piece not in english:
                fragments.append(piece)
    return fragments


def assert_no_french(page_text: str, where: str) -> None:
    left = [fragment for fragment in french_fragments() if fragment in page_text]
    assert not left, f"French left on {where}: {left}"


@pytest.mark.parametrize(
    ("path", "status", "h1"),
    [
        ("/", 200, "Find out which benefits you are entitled to"),
        ("/donnees-personnelles", 200, "Personal data"),
        ("/accessibilite", 200, "Accessibility statement"),
        ("/cette-page-n-existe-pas", 404, "Page not found"),
        (
            "/simulation/question/postal_code",
            200,
            "What is the postal code of the town where you live?",
        ),
    ],
)
def test_english_pages_have_no_french_left(client, path, status, h1):
    client.get("/langue/en")

    page = Journey(client, lang="en").get(path, status=status)

    assert page.h1 == [h1]
    assert_no_french(page.text, path)
    for french in ("Retour", "Continuer", "Étape", "Aller au contenu", "Commencer"):
        assert french not in page.text, (path, french)


def test_the_whole_questionnaire_in_english(client):
    client.get("/langue/en")
    journey = Journey(client, lang="en")

    assert journey.answer_all(SINGLE_IN_RENNES) == SUMMARY_PATH

    for path, page in journey.pages.items():
        assert_no_french(page.text, path)
        assert page.text_of("continuer") == "Continue"
        assert page.text_of("lien-retour") == "Back"
        assert page.text_of("progression").startswith("Step ")
    assert journey.pages["/simulation/question/birth_date/me"].h1 == [
        "What is your date of birth?"
    ]
    summary = journey.get(SUMMARY_PATH)
    assert summary.h1 == ["Check your answers"]
    assert "15 April 1988" in summary.text
    assert "€450 a month" in summary.text
    assert "Change (Your date of birth)" in summary.text
    assert_no_french(summary.text, SUMMARY_PATH)


def test_errors_in_english_use_the_english_messages_and_title(client):
    client.get("/langue/en")
    journey = Journey(client, lang="en")

    empty = journey.submit("/simulation/question/postal_code", {"postal_code": ""})
    wrong = journey.submit("/simulation/question/postal_code", {"postal_code": "12"})

    page = parse_page(empty.get_data(as_text=True))
    assert page.lang == "en"
    assert page.title.startswith("Error: What is the postal code")
    assert page.text_of("resume-erreurs") == (
        "There is a problem Enter the postal code of your town, for example 35000."
    )
    assert "The postal code has 5 digits, for example 35000." in parse_page(
        wrong.get_data(as_text=True)
    ).text_of("resume-erreurs")
