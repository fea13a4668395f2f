"""The results' sentences, written in a language only when it is asked, say word for
word what they said when both languages were written at once: in the API's answers
(JSON bytes), on the page and in the PDF (the view they are made from), and once read
back from the results cache, which stores what the sentences are made of, not their
texts; and households sharing their equal results get those built for them alone.

The reference is the former way, kept here: every sentence written at once in French
and English, with its own copy of the number formatting. One simulation for the
module: 120 households of the benchmark corpus over two months (about 5 s).
"""

from __future__ import annotations

import dataclasses
import math
import re
import zlib
from collections import Counter
from typing import Any

import orjson
import pytest

from benchmarks.corpus import corpus
from rules.catalog import Explanation, Text
from simulator.cache import MemoryStore, ResultsCache, cache_key
from simulator.engine import run
from simulator.household import SimulationRequest, parse_request
from simulator.results import (
    BenefitResult,
    ConditionResult,
    Memo,
    Results,
    build_results,
    simulate,
)
from simulator.wording import Sentence
from webapp.results.presenter import present

LANGUAGES = ("fr", "en")


# -- the reference: both languages written at once, as before --------------------------


def reference_display(value: Any, kind: str, language: str) -> str:
    if value is None:
        return ""
    if kind == "euros":
        number = f"{float(value):,.2f}"
        if language == "fr":
            return number.replace(",", "\u202f").replace(".", ",") + "\u00a0€"
        return f"€{number}"
    if kind == "percent":
        return (
            f"{float(value) * 100:.0f}\u00a0%"
            if language == "fr"
            else f"{float(value) * 100:.0f}%"
        )
    if kind == "years":
        return str(int(float(value)))
    if kind == "number":
        return f"{float(value):g}"
    return str(value)


def reference_sentence(
    explanation: Explanation, met: bool, value: Any, limit: Any
) -> Text:
    said = explanation.met if met else explanation.unmet
    return Text(
        fr=said.fr.format(
            value=reference_display(value, explanation.format, "fr"),
            limit=reference_display(limit, explanation.format, "fr"),
        ),
        en=said.en.format(
            value=reference_display(value, explanation.format, "en"),
            limit=reference_display(limit, explanation.format, "en"),
        ),
    )


def reference(results: Results) -> Results:
    """The same results with every sentence written whole, the former way."""
    benefits = []
    for result in results.benefits:
        explanations = result.benefit.explanations
        assert len(result.conditions) == len(explanations)
        conditions = tuple(
            dataclasses.replace(
                condition,
                text=reference_sentence(
                    explanation, condition.met, condition.value, condition.limit
                ),
            )
            for condition, explanation in zip(
                result.conditions, explanations, strict=True
            )
        )
        benefits.append(dataclasses.replace(result, conditions=conditions))
    return Results(results.request, tuple(benefits), dict(results.rules))


# -- fixtures --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def computed() -> tuple[list[SimulationRequest], list[Results]]:
    requests = [
        parse_request(household)
        for household in corpus(60, seed=73, month="2026-11")
        + corpus(60, seed=74, month="2025-03")
    ]
    return requests, simulate(requests)


def answers(results: Results, language: str) -> tuple[bytes, bytes]:
    """What the API writes (with and without the shared parts as fragments)."""
    return (
        orjson.dumps(results.to_json(language, fragments=True)),
        orjson.dumps(results.to_json(language)),
    )


# -- the tests -------------------------------------------------------------------------


def test_the_corpus_reaches_every_kind_of_sentence(computed):
    _, results = computed
    benefits = [b for r in results for b in r.benefits]
    conditions = [c for b in benefits for c in b.conditions]
    assert {b.status for b in benefits} == {
        "eligible",
        "not_eligible",
        "not_computable",
    }
    assert {c.met for c in conditions} == {True, False}
    formats = Counter(c.text.explanation.format for c in conditions)
    assert set(formats) == {"euros", "number", "years", "percent", "none"}
    assert any(c.limit is not None for c in conditions)
    assert {month for month in (r.month for r in results)} == {"2026-11", "2025-03"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_answers_are_those_of_sentences_written_whole(computed, language):
    _, results = computed
    for found in results:
        assert answers(found, language) == answers(reference(found), language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_and_pdf_say_what_sentences_written_whole_said(
    computed, results_app, language
):
    _, results = computed
    with results_app.test_request_context():
        for found in results:
            assert present(found, language) == present(reference(found), language)


def test_results_write_no_sentence_before_asked_and_only_in_the_language_asked(
    computed,
):
    requests, _ = computed
    results = simulate(requests[:20])
    sentences = [c.text for r in results for b in r.benefits for c in b.conditions]
    assert all(type(s) is Sentence for s in sentences)
    assert all(s._fr is None and s._en is None for s in sentences)

    for found in results:
        found.to_json("en", fragments=True)

    assert all(s._fr is None and s._en is not None for s in sentences)


@pytest.mark.parametrize("language", LANGUAGES)
def test_results_read_back_from_the_cache_say_the_same_words(computed, language):
    requests, results = computed
    cache = ResultsCache(MemoryStore())
    for request, found in zip(requests, results, strict=True):
        cache.put(request, found)

    for request, found in zip(requests, results, strict=True):
        read = cache.get(request)
        assert read is not None
        assert answers(read, language) == answers(reference(found), language)


def test_a_cache_entry_holds_no_sentence_text(computed):
    requests, results = computed
    store = MemoryStore()
    cache = ResultsCache(store)
    request, found = requests[0], results[0]
    cache.put(request, found)

    stored = zlib.decompress(store.get(cache_key(request)) or b"").decode()

    written = [
        c.text.get(language)
        for b in found.benefits
        for c in b.conditions
        for language in LANGUAGES
    ]
    assert written
    for text in written:
        assert text not in stored


def given_texts(results: Results) -> Results:
    """Results whose first benefit with a limit in its sentences has that limit
    infinite (JSON writes null), a condition with a given text, and a reason the
    catalog does not hold."""
    place, result = next(
        (place, result)
        for place, result in enumerate(results.benefits)
        if any(
            "{limit}" in e.unmet.fr and "{limit}" in e.unmet.en
            for e in result.benefit.explanations
        )
    )
    conditions = (
        *(
            ConditionResult(
                e.variable, False, 1.5, math.inf, Sentence(e, False, 1.5, math.inf)
            )
            for e in result.benefit.explanations
        ),
        ConditionResult("a_variable", True, 2, None, Text(fr="Un", en="One")),
    )
    changed = BenefitResult(
        result.benefit,
        "not_computable",
        None,
        conditions,
        (Text(fr="Ailleurs", en="Elsewhere"),),
    )
    benefits = list(results.benefits)
    benefits[place] = changed
    return Results(results.request, tuple(benefits), dict(results.rules))


@pytest.mark.parametrize("language", LANGUAGES)
def test_sentences_json_cannot_rebuild_are_stored_whole(computed, language):
    requests, results = computed
    request = requests[0]
    unusual = given_texts(results[0])
    cache = ResultsCache(MemoryStore())
    cache.put(request, unusual)

    read = cache.get(request)

    assert read is not None
    assert answers(read, language) == answers(unusual, language)
    texts = []
    for before, after in zip(unusual.benefits, read.benefits, strict=True):
        assert after.reasons(language) == before.reasons(language)
        texts.append([c.text.get(language) for c in after.conditions])
        assert texts[-1] == [c.text.get(language) for c in before.conditions]
    assert any(re.search(r"\binf\b", text) for each in texts for text in each)
    elsewhere = "Elsewhere" if language == "en" else "Ailleurs"
    assert any(b.reasons(language) == [elsewhere] for b in read.benefits)


def test_households_share_equal_results_and_get_those_built_for_them_alone(computed):
    requests, _ = computed
    values = run(requests)
    memo = Memo()
    shared = [
        build_results(values, index, request, memo)
        for index, request in enumerate(requests)
    ]
    alone = [
        build_results(values, index, request, Memo())
        for index, request in enumerate(requests)
    ]

    benefits = [b for r in shared for b in r.benefits]
    members = [m for b in benefits for m in b.members]
    assert len({id(b) for b in benefits}) < len(benefits) / 2
    assert len({id(m) for m in members}) < len(members) / 10
    for language in LANGUAGES:
        for one, other in zip(shared, alone, strict=True):
            assert answers(one, language) == answers(other, language)
