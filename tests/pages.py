"""The page helper: parse an HTML page with the standard library and check the
structure every page of the service must have."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}
FIELD_TAGS = {"input", "select", "textarea"}


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

    def link_to(self, href: str) -> bool:
        return href in self.links


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

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        page = self.page
        if attributes.get("id"):
            page.ids.append(attributes["id"])
        if "style" in attributes:
            page.inline_styles += 1
        if any(name.startswith("on") for name in attributes):
            page.inline_scripts += 1
        if tag == "html":
            page.lang = attributes.get("lang")
        elif tag == "title":
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

    def handle_endtag(self, tag: str) -> None:
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

    def close(self) -> None:
        super().close()
        self.page.title = normalise(self.page.title)
        self.page.text = normalise(" ".join(self.text))


def parse_page(html: str) -> Page:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser.page


def check_page(html: str) -> Page:
    """Parse a page and assert its structure; return it for further assertions."""
    page = parse_page(html)
    assert page.lang == "fr", f"<html lang> is {page.lang!r}"
    assert len(page.h1) == 1, f"expected exactly one h1, found {page.h1}"
    assert page.title.startswith(page.h1[0]), (
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
