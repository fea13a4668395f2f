"""POST /api/v1/simulations through the simulator service: a household asked again is
answered from the cache, and an overloaded simulator is a 503 saying when to retry.

Two simulations in all; the refusals simulate nothing.
"""

from __future__ import annotations

from simulator import service
from simulator.coalescer import Overloaded
from simulator.engine import benefits_for

from .conftest import own_service, problem, read_example

SIMULATIONS = "/api/v1/simulations"


def test_a_household_asked_again_is_answered_from_the_cache_with_the_same_body(
    client, fresh_service
):
    household = read_example("student")

    first = client.post(SIMULATIONS, json=household)
    second = client.post(SIMULATIONS, json=household)
    english = client.post(f"{SIMULATIONS}?lang=en", json=household)

    assert first.status_code == second.status_code == english.status_code == 200
    assert fresh_service.simulated == [1], "simulated once, then from the cache"
    assert fresh_service.cache.hits == 2
    assert second.get_data() == first.get_data()
    # One entry answers in both languages.
    commune = household["household"]["commune"]
    labels = {b.id: b.label.en for b in benefits_for(commune)}
    for benefit in english.get_json()["benefits"]:
        assert benefit["label"] == labels[benefit["id"]]


def test_an_overloaded_simulator_is_a_503_saying_when_to_retry(client, monkeypatch):
    # A real coalescer whose queue takes nobody: every request is refused at once.
    own = own_service(monkeypatch, max_queue=0)
    household = read_example("single-parent")

    refused = client.post(SIMULATIONS, json=household)

    body = problem(refused, 503)
    seconds = int(refused.headers["Retry-After"])
    assert seconds >= 1
    assert body["title"] == "Service surchargé"
    assert body["detail"] == (
        f"Le service est très sollicité : réessayez dans {seconds} secondes."
    )
    assert "errors" not in body
    assert own.simulated == []

    own.coalescer.max_queue = 512  # the rush is over
    answered = client.post(SIMULATIONS, json=household)

    assert answered.status_code == 200
    assert own.simulated == [1]
    assert answered.get_json()["benefits"]


def test_a_full_simulator_refuses_before_reading_the_request(client, monkeypatch):
    own = own_service(monkeypatch, max_queue=0)

    refused = client.post(
        SIMULATIONS, data=b"{not json", content_type="application/json"
    )

    problem(refused, 503)  # not the 400 the body would get
    assert int(refused.headers["Retry-After"]) >= 1
    assert own.simulated == []
    own.coalescer.max_queue = 512
    again = client.post(SIMULATIONS, data=b"{not", content_type="application/json")
    assert again.status_code == 400


def test_the_503_waits_the_delay_the_simulator_asks_in_english_too(client, monkeypatch):
    def busy(request):
        raise Overloaded(retry_after=7, waiting=100)

    monkeypatch.setattr(service, "simulate_one", busy)

    refused = client.post(f"{SIMULATIONS}?lang=en", json=read_example("student"))

    body = problem(refused, 503)
    assert refused.headers["Retry-After"] == "7"
    assert body["title"] == "Service busy"
    assert body["detail"] == "The service is busy: retry after 7 seconds."
