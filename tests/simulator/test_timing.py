"""Seconds by phase, when asked (simulator.timing)."""

import threading
import time

from simulator import service
from simulator.engine import run
from simulator.household import parse_request
from simulator.timing import CATALOG, FINAL, GROSS_UP, phase, recording


def test_a_phase_counts_only_inside_a_recording():
    with phase("outside"):
        pass
    with recording() as seconds:
        with phase("inside"):
            time.sleep(0.01)
    with phase("after"):
        pass
    assert list(seconds) == ["inside"]
    assert seconds["inside"] >= 0.01


def test_phases_of_one_name_add_up_and_a_phase_inside_another_counts_in_both():
    with recording() as seconds:
        for _ in range(3):
            with phase("outer"):
                time.sleep(0.005)
                with phase("inner"):
                    time.sleep(0.005)
    assert seconds["inner"] >= 0.015
    assert seconds["outer"] >= seconds["inner"] + 0.015


def test_a_recording_sees_nothing_of_another_thread():
    def elsewhere():
        with phase("other thread"):
            pass

    with recording() as seconds:
        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()
    assert seconds == {}


def test_a_simulation_records_its_gross_up_its_final_simulation_and_its_catalog():
    # An employee in Paris: a salary whose net the gross-up checks.
    request = parse_request({"month": "2026-11", **service.SAMPLE})
    started = time.perf_counter()
    with recording() as seconds:
        run([request])
    total = time.perf_counter() - started
    assert set(seconds) == {GROSS_UP, FINAL, CATALOG}
    assert 0 < seconds[CATALOG] < seconds[FINAL]
    assert seconds[GROSS_UP] > 0  # a salary's net is checked in a light simulation
    assert seconds[GROSS_UP] + seconds[FINAL] < total
