"""The page helper: parse an HTML page with the standard library and check the
structure every page of the service must have."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}
FIELD_TAGS = {"input", "select", "textarea"}
VOID_TAGS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
    "source", "track", "wbr",
}  # fmt: skip
# A page whose form has errors starts its <title> with this, in its language.
ERROR_PREFIXES = {"fr": "Erreur : ", "en": "Error: "}
ERROR_SUMMARY_CLASS = "fr-error-summary"


def normalise(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Page:
    """What the checks and the tests read from a page."""

    lang: str | None = None
    title: str = ""
    h1: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    # (tag, id or None, labelled by an enclosing <label>)
    fields: list[tuple[str, str | None, bool]] = field(default_factory=list)
    label_targets: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)
    inline_scripts: int = 0
    inline_styles: int = 0
    text: str = ""
    # The text inside each element that has an id.
    texts: dict[str, str] = field(default_factory=dict)
    has_error_summary: bool = False

    def link_to(self, href: str) -> bool:
        return href in self.links

    def text_of(self, element_id: str) -> str:
        """The normalised text inside the element with this id."""
        assert element_id in self.texts, f"no element with id {element_id!r}"
        return self.texts[element_id]


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.open_labels = 0
        self.in_title = False
        self.in_h1 = False
        self.in_script = False
        self.script_text = ""
        self.h1_text = ""
        self.text: list[str] = []
        self.open_elements: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        page = self.page
        if attributes.get("id"):
            page.ids.append(attributes["id"])
            page.texts.setdefault(attributes["id"], "")
        if tag not in VOID_TAGS:
            self.open_elements.append((tag, attributes.get("id")))
        if ERROR_SUMMARY_CLASS in (attributes.get("class") or "").split():
            page.has_error_summary = True
        if "style" in attributes:
            page.inline_styles += 1
        if any(name.startswith("on") for name in attributes):
            page.inline_scripts += 1
        if tag == "html":
            page.lang = attributes.get("lang")
        elif tag == "title" and not self.inside("svg"):
            # The document's title, not an SVG picture's (its accessible name).
            self.in_title = True
        elif tag == "h1":
            self.in_h1, self.h1_text = True, ""
        elif tag == "label":
            self.open_labels += 1
            if attributes.get("for"):
                page.label_targets.add(attributes["for"])
        elif tag == "a" and attributes.get("href"):
            page.links.append(attributes["href"])
        elif tag == "style":
            page.inline_styles += 1
        elif tag == "script":
            self.in_script, self.script_text = True, ""
            if not attributes.get("src"):
                page.inline_scripts += 1
        if tag in FIELD_TAGS and (
            tag != "input"
            or (attributes.get("type") or "text") not in UNLABELLED_INPUT_TYPES
        ):
            page.fields.append((tag, attributes.get("id"), self.open_labels > 0))

    def inside(self, tag: str) -> bool:
        return any(name == tag for name, _id in self.open_elements)

    def handle_endtag(self, tag: str) -> None:
        open_tags = [name for name, _id in self.open_elements]
        if tag in open_tags:
            del self.open_elements[len(open_tags) - 1 - open_tags[::-1].index(tag) :]
        if tag == "title":
            self.in_title = False
        elif tag == "h1":
            self.in_h1 = False
            self.page.h1.append(normalise(self.h1_text))
        elif tag == "label":
            self.open_labels = max(0, self.open_labels - 1)
        elif tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.page.title += data
        if self.in_h1:
            self.h1_text += data
        if not self.in_script:
            self.text.append(data)
            for _tag, element_id in self.open_elements:
                if element_id:
                    self.page.texts[element_id] += data

    def close(self) -> None:
        super().close()
        self.page.title = normalise(self.page.title)
        self.page.text = normalise(" ".join(self.text))
        self.page.texts = {
            key: normalise(text) for key, text in self.page.texts.items()
        }


def parse_page(html: str) -> Page:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser.page


def check_page(html: str, lang: str = "fr") -> Page:
    """Parse a page and assert its structure; return it for further assertions.

    A page with an error summary has a <title> that starts with "Erreur : " (in
    English "Error: "), then its h1; any other page's title starts with its h1.
    """
    page = parse_page(html)
    assert page.lang == lang, f"<html lang> is {page.lang!r}, not {lang!r}"
    assert len(page.h1) == 1, f"expected exactly one h1, found {page.h1}"
    prefix = ERROR_PREFIXES[lang]
    title = page.title
    if page.has_error_summary:
        assert title.startswith(prefix), f"title {title!r} lacks {prefix!r}"
        title = title.removeprefix(prefix)
    else:
        assert not title.startswith(prefix), f"{title!r} but no error summary"
    assert title.startswith(page.h1[0]), (
        f"title {page.title!r} does not start with the h1 {page.h1[0]!r}"
    )
    duplicates = [id_ for id_, count in Counter(page.ids).items() if count > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    unlabelled = [
        (tag, id_)
        for tag, id_, enclosed in page.fields
        if not enclosed and id_ not in page.label_targets
    ]
    assert not unlabelled, f"fields without a label: {unlabelled}"
    missing_targets = [
        href for href in page.links if href.startswith("#") and href[1:] not in page.ids
    ]
    assert not missing_targets, f"in-page links to no id: {missing_targets}"
    assert page.inline_scripts == 0, "inline script (the CSP forbids it)"
    assert page.inline_styles == 0, "inline style (the CSP forbids it)"
    return page
