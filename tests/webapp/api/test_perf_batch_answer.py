"""The batch path's savings change no answer: results read back from the cache answer
as computed, in both languages, for households of every kind; an answer written from
deques, which lets each household go once written, is the one written from lists; and
the benchmark's quick reading of a batch answer finds exactly its entries.

One simulation for the module (households of the benchmark corpus, about 3 s).
"""

from __future__ import annotations

import json
from collections import deque
from typing import Any

import pytest

from benchmarks.bench_http import batch_entries
from benchmarks.corpus import corpus
from simulator.cache import MemoryStore, ResultsCache
from simulator.household import SimulationRequest, parse_request
from simulator.results import Results, simulate
from webapp.api.views import batch_answer

INVALID = [{"field": "household.members[0].birth_date", "message": "Saisissez..."}]


@pytest.fixture(scope="module")
def computed() -> tuple[list[SimulationRequest], list[Results]]:
    requests = [
        parse_request(household)
        for household in corpus(24, seed=41, month="2026-11")
        + corpus(6, seed=42, month="2025-03")
    ]
    return requests, simulate(requests)


def written(parsed: Any, results: Any, lang: str) -> bytes:
    return b"".join(batch_answer(parsed, results, lang))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_results_read_back_from_the_cache_answer_as_computed(computed, lang):
    requests, results = computed
    cache = ResultsCache(MemoryStore())
    for request, found in zip(requests, results, strict=True):
        cache.put(request, found)

    read = [cache.get(request) for request in requests]

    assert cache.hits == len(requests)
    assert written(requests, read, lang) == written(requests, results, lang)


def test_an_answer_written_from_deques_lets_each_household_go_once_written(computed):
    requests, results = computed
    parsed = [*requests[:3], INVALID, *requests[3:]]
    expected = written(list(parsed), list(results), "fr")
    items, answers = deque(parsed), deque(results)

    pieces = batch_answer(items, answers, "fr")
    first = [next(pieces) for _ in range(3)]  # the opening, households 0 and 1

    assert (len(items), len(answers)) == (len(parsed) - 2, len(results) - 2)
    assert b"".join([*first, *pieces]) == expected
    assert not items and not answers


def test_the_benchmark_reads_a_batch_answer_s_entries_as_json_does(computed):
    requests, results = computed
    parsed = [requests[0], INVALID, *requests[1:5]]

    body = written(parsed, results[:5], "en")

    entries = [
        (str(entry["index"]).encode(), entry["status"].encode())
        for entry in json.loads(body)["results"]
    ]
    assert batch_entries(body) == entries
    assert entries[1] == (b"1", b"error")
    assert len(entries) == 6
