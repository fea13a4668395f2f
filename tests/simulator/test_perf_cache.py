"""The results cache: the same answer in both languages, canonical keys, LRU bound,
Redis when configured, and a failing store is only a miss."""

import json
import os
import uuid
import zlib

import pytest

from simulator.cache import (
    MemoryStore,
    RedisStore,
    ResultsCache,
    cache_from_environment,
    cache_key,
    entry,
)
from simulator.household import parse_request
from simulator.results import simulate

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def create_request(salary=1300.0, month="2026-11", **member):
    return parse_request(
        {
            "month": month,
            "household": {
                "commune": "75056",
                "resident_since": "2010-01",
                "housing": {"tenure": "tenant", "rent": 700.0},
                "members": [
                    {
                        "id": "me",
                        "role": "applicant",
                        "birth_date": "1988-04-04",
                        "activity": "employed",
                        "incomes": {"salary": salary},
                        **member,
                    },
                    {"id": "kid", "role": "child", "birth_date": "2019-01-01"},
                ],
            },
        }
    )


@pytest.fixture(scope="module")
def results():
    request = create_request()
    return request, simulate([request])[0]


def test_cached_results_answer_in_both_languages_as_computed(results):
    request, computed = results
    cache = ResultsCache(MemoryStore())
    assert cache.get(request) is None
    cache.put(request, computed)
    found = cache.get(request)
    assert found is not None
    for language in ("fr", "en"):
        assert found.to_json(language) == computed.to_json(language)
    assert (cache.hits, cache.misses) == (1, 1)


def test_an_entry_is_stored_compressed(results):
    request, computed = results
    store = MemoryStore()
    ResultsCache(store).put(request, computed)
    stored = store.get(cache_key(request))
    assert json.loads(zlib.decompress(stored)) == json.loads(
        json.dumps(entry(computed))
    )
    assert len(stored) < len(json.dumps(entry(computed))) / 2


def test_the_key_is_the_same_for_two_spellings_of_a_household():
    spelled_out = create_request(
        incomes={"salary": 1300.0, "pension": 0.0}, disability_rate=None
    )
    assert cache_key(create_request()) == cache_key(spelled_out)
    assert cache_key(create_request()) != cache_key(create_request(salary=1300.01))
    assert cache_key(create_request()) != cache_key(create_request(month="2026-10"))


def test_the_memory_store_keeps_the_most_recently_used_entries():
    store = MemoryStore(entries=2)
    store.set("a", b"1")
    store.set("b", b"2")
    assert store.get("a") == b"1"
    store.set("c", b"3")
    assert store.get("b") is None
    assert store.get("a") == b"1"
    assert len(store) == 2


class BrokenStore:
    def get(self, key):
        raise ConnectionError("down")

    def set(self, key, value):
        raise ConnectionError("down")


def test_a_failing_store_is_a_miss_not_an_error(results):
    request, computed = results
    cache = ResultsCache(BrokenStore())
    cache.put(request, computed)
    assert cache.get(request) is None


def test_without_redis_url_the_cache_is_in_process():
    cache = cache_from_environment({})
    assert isinstance(cache.store, MemoryStore)


@pytest.fixture
def redis_store():
    prefix = f"test-{uuid.uuid4().hex}:"
    store = RedisStore(REDIS_URL, prefix=prefix, ttl=60)
    try:
        store.client.ping()
    except Exception as exc:  # this machine kind and CI always run Redis
        pytest.fail(f"no Redis at {REDIS_URL}: start it (see README) — {exc}")
    yield store
    for key in store.client.scan_iter(match=prefix + "*"):
        store.client.delete(key)


def test_with_redis_url_results_are_shared_through_redis(results, redis_store):
    request, computed = results
    cache = cache_from_environment(
        {"REDIS_URL": REDIS_URL, "RESULTS_CACHE_PREFIX": redis_store.prefix}
    )
    assert isinstance(cache.store, RedisStore)
    cache.put(request, computed)
    other_process = ResultsCache(RedisStore(REDIS_URL, prefix=redis_store.prefix))
    found = other_process.get(request)
    assert found is not None
    assert found.to_json("en") == computed.to_json("en")
    assert redis_store.client.ttl(redis_store.prefix + cache_key(request)) > 0
