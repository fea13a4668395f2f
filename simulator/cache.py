"""A cache of results by household: in-process by default, in Redis with REDIS_URL.

The key is the canonical JSON of the validated request (month included: two spellings
of the same household share it) with a fingerprint of everything results depend on:
the rules packages' versions and the files of this project that make them (the
catalog, our own rules and parameters, the simulator's code). A change of any of them
makes new keys; old entries age out.

What is stored is language-independent: what the sentences are made of (met or not,
the value and the limit of each of the benefit's explanations, which not-computable
case of the catalog applies), not their texts, which are written again in the language
asked when read; so one entry answers in both languages. It is compressed (zlib,
fastest level): an entry of 5 kB of JSON takes about 0.9 kB (22.8 kB and 7.4 kB when
it held the sentences), so that 10,000 of them fit in 10 MB of a worker (measured on
generated households). A cache that fails (Redis down) is a miss, never an error: the
household is simulated.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import os
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import orjson

from rules.catalog import Benefit, Explanation, Text
from rules.system import checked_catalog, rules_versions
from simulator.household import SimulationRequest
from simulator.results import BenefitResult, ConditionResult, Results
from simulator.wording import Sentence

logger = logging.getLogger(__name__)

FORMAT = 3  # of the stored entries: change it when `entry` changes
DEFAULT_ENTRIES = 10_000  # in process: about 1 kB an entry
COMPRESSION_LEVEL = 1  # zlib's fastest: 5.4 times smaller; level 6 gains 16 % more
DEFAULT_TTL = 24 * 3600  # seconds, in Redis
SORT_KEYS = orjson.OPT_SORT_KEYS
ROOT = Path(__file__).resolve().parent.parent
# The project's files results depend on, besides the rules packages.
SOURCES = ("simulator/*.py", "rules/*.py", "rules/*.yaml", "rules/**/*.yaml")


@functools.cache
def fingerprint() -> str:
    """What results depend on, as a short hash: rules versions and our sources."""
    digest = hashlib.sha256(json.dumps(rules_versions(), sort_keys=True).encode())
    digest.update(str(FORMAT).encode())
    paths = sorted({path for pattern in SOURCES for path in ROOT.glob(pattern)})
    for path in paths:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_key(request: SimulationRequest) -> str:
    # orjson: a third of the time `json.dumps(sort_keys=True)` took (a batch reads
    # and writes 1,000 keys).
    canonical = orjson.dumps(request.model_dump(mode="json"), option=SORT_KEYS)
    return hashlib.sha256(fingerprint().encode() + b":" + canonical).hexdigest()


# -- what is stored ----------------------------------------------------------------


def entry(results: Results) -> dict[str, Any]:
    """The results without the request, in no language, as JSON data.

    A condition is `[met, value, limit]`, its sentence that of the benefit's
    explanation at the same place; and `[met, value, limit, variable, fr, en]` when
    that sentence could not be written again from the JSON (a text given whole, or a
    number JSON cannot hold, such as an infinite limit, written as null). A
    not-computable reason is the place of its case in the benefit's catalog entry,
    or `[fr, en]` for a text from elsewhere.
    """
    return {
        "rules": results.rules,
        "benefits": [
            {
                "id": b.benefit.id,
                "status": b.status,
                "amount": b.amount,
                "conditions": [
                    stored_condition(c, explanation)
                    for c, explanation in zip(
                        b.conditions, explanations(b), strict=False
                    )
                ],
                "not_computable": [
                    stored_reason(b.benefit, text) for text in b.not_computable_reasons
                ],
                "members": list(b.members),
            }
            for b in results.benefits
        ],
    }


def explanations(result: BenefitResult) -> Iterator[Explanation | None]:
    """The benefit's explanations, in the order of its conditions, then None."""
    yield from result.benefit.explanations
    while True:
        yield None


def stored_condition(
    condition: ConditionResult, explanation: Explanation | None
) -> list[Any]:
    met, value, limit, text = (
        condition.met,
        condition.value,
        condition.limit,
        condition.text,
    )
    if (
        type(text) is Sentence
        and text.explanation is explanation
        and text.met is met
        and text.value is value
        and text.limit is limit
        and json_exact(value)
        and json_exact(limit)
    ):
        return [met, value, limit]
    return [met, value, limit, condition.variable, text.fr, text.en]


def json_exact(value: Any) -> bool:
    """Whether JSON gives `value` back as it is (orjson writes NaN and inf as null)."""
    return type(value) is not float or math.isfinite(value)


def stored_reason(benefit: Benefit, text: Text) -> int | list[str]:
    for place, case in enumerate(benefit.not_computable):
        if case.message is text:
            return place
    return [text.fr, text.en]


def from_entry(request: SimulationRequest, data: dict[str, Any]) -> Results:
    catalog = catalog_by_id()
    benefits = []
    for item in data["benefits"]:
        benefit = catalog[item["id"]]
        benefits.append(
            BenefitResult(
                benefit=benefit,
                status=item["status"],
                amount=item["amount"],
                conditions=tuple(
                    read_condition(benefit, place, stored)
                    for place, stored in enumerate(item["conditions"])
                ),
                not_computable_reasons=tuple(
                    benefit.not_computable[stored].message
                    if type(stored) is int
                    else Text(fr=stored[0], en=stored[1])
                    for stored in item["not_computable"]
                ),
                members=tuple(item["members"]),
            )
        )
    return Results(request, tuple(benefits), dict(data["rules"]))


def read_condition(benefit: Benefit, place: int, stored: list[Any]) -> ConditionResult:
    if len(stored) == 3:
        met, value, limit = stored
        explanation = benefit.explanations[place]
        text: Sentence | Text = Sentence(explanation, met, value, limit)
        return ConditionResult(explanation.variable, met, value, limit, text)
    met, value, limit, variable, fr, en = stored
    return ConditionResult(variable, met, value, limit, Text(fr=fr, en=en))


_catalogs: dict[int, tuple[Any, dict[str, Benefit]]] = {}


def catalog_by_id() -> dict[str, Benefit]:
    """The checked catalog's benefits by id, indexed once (not at every read)."""
    catalog = checked_catalog()
    found = _catalogs.get(id(catalog))
    if found is None:  # the catalog held here keeps its id from being reused
        found = _catalogs[id(catalog)] = (catalog, {b.id: b for b in catalog})
    return found[1]


# -- where it is stored ------------------------------------------------------------


class Store(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes) -> None: ...


class MemoryStore:
    """A bounded in-process LRU store, safe across threads."""

    def __init__(self, entries: int = DEFAULT_ENTRIES) -> None:
        self.entries = entries
        self._data: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.entries:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


class RedisStore:
    """Entries in Redis under `prefix`, expiring after `ttl` seconds."""

    def __init__(self, url: str, prefix: str = "results:", ttl: int = DEFAULT_TTL):
        import redis

        # Short timeouts: a slow Redis must not hold a request longer than simulating.
        self.client = redis.Redis.from_url(
            url, socket_timeout=0.5, socket_connect_timeout=0.5
        )
        self.prefix = prefix
        self.ttl = ttl

    def get(self, key: str) -> bytes | None:
        value = self.client.get(self.prefix + key)
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes) -> None:
        self.client.set(self.prefix + key, value, ex=self.ttl)


class ResultsCache:
    """Results by request, in a store; failures of the store count as misses."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.hits = 0
        self.misses = 0

    def get(self, request: SimulationRequest) -> Results | None:
        try:
            raw = self.store.get(cache_key(request))
        except Exception:  # a cache is an optimisation: simulate instead
            logger.warning("results cache unavailable", exc_info=True)
            raw = None
        if raw is None:
            self.misses += 1
            return None
        self.hits += 1
        return from_entry(request, orjson.loads(zlib.decompress(raw)))

    def put(self, request: SimulationRequest, results: Results) -> None:
        data = zlib.compress(orjson.dumps(entry(results)), COMPRESSION_LEVEL)
        try:
            self.store.set(cache_key(request), data)
        except Exception:
            logger.warning("results cache unavailable", exc_info=True)


def cache_from_environment(environ: dict[str, str] | None = None) -> ResultsCache:
    """Redis when REDIS_URL is set (RESULTS_CACHE_PREFIX, RESULTS_CACHE_TTL), else
    in process (RESULTS_CACHE_ENTRIES)."""
    environ = dict(os.environ if environ is None else environ)
    url = environ.get("REDIS_URL")
    if url:
        return ResultsCache(
            RedisStore(
                url,
                prefix=environ.get("RESULTS_CACHE_PREFIX", "results:"),
                ttl=int(environ.get("RESULTS_CACHE_TTL", DEFAULT_TTL)),
            )
        )
    entries = int(environ.get("RESULTS_CACHE_ENTRIES", DEFAULT_ENTRIES))
    return ResultsCache(MemoryStore(entries))
