"""Derive rules/folding.yaml: the variables no v1 household moves from their default.

Simulates a generated corpus covering every field and value of the household model
(benchmarks/corpus.py), over every month the folding is for, with OpenFisca's full
tracer on, on the rules without folding. A variable is listed when:

- it has a formula (a variable without one costs nothing to compute);
- the trace computed it, and every value it ever had was its default value;
- the mapping never sets it (an input) and the results never read it (the catalog's
  amounts, explanation variables and limits).

Then `rules.folding` neutralises the listed variables for the months covered. The
folding equivalence tests (tests/simulator/test_folding.py, and the benchmark on more
households) check that every value the results read stays identical.

Usage: .venv/bin/python -m benchmarks.derive_folding [--households 9000] [--jobs 2]
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import FIRST_MONTH, LAST_MONTH, corpus  # noqa: E402
from rules.folding import FOLDING_FILE, current_rules  # noqa: E402
from rules.system import checked_catalog, tax_benefit_system  # noqa: E402
from simulator.engine import catalog_variables, run  # noqa: E402
from simulator.household import parse_request  # noqa: E402
from simulator.simulation import tracing  # noqa: E402
from simulator.situation import Series, compact_situation  # noqa: E402

BATCH = 150  # households a simulation (the trace keeps every value: memory grows)


def is_default(variable: Any, value: Any) -> bool:
    """Whether every value of an array is the variable's default."""
    if value is None:
        return False
    default = variable.default_value
    array = np.asarray(value)
    if variable.value_type.__name__ == "Enum":
        return bool(np.all(array == default.index))
    if variable.value_type is datetime.date:
        return bool(np.all(array == np.datetime64(default)))
    return bool(np.all(array == default))


def walk(nodes: Iterable[Any]) -> Iterable[Any]:
    stack = list(nodes)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children)


def inputs_of(situation: dict[str, Any]) -> set[str]:
    """The variables a situation sets (per entity, per member)."""
    names = set()
    for members in situation.values():
        for variables in members.values():
            names.update(
                name
                for name, value in variables.items()
                if isinstance(value, (Series, dict))
            )
    return names


def trace_batch(households: list[dict[str, Any]]) -> tuple[dict[str, bool], set[str]]:
    """Simulate a batch with the tracer on: variable → always default; the inputs."""
    requests = [parse_request(data) for data in households]
    system = tax_benefit_system()
    always_default: dict[str, bool] = {}
    with tracing() as simulations:
        run(requests, system=system)
    for simulation in simulations:
        for node in walk(simulation.tracer.trees):
            variable = system.variables[node.name]
            default = is_default(variable, node.value)
            always_default[node.name] = always_default.get(node.name, True) and default
    return always_default, inputs_of(compact_situation(requests))


def batches(size: int, seed: int) -> list[list[dict[str, Any]]]:
    """The corpus by month, in batches of at most BATCH households."""
    by_month: dict[str, list[dict[str, Any]]] = {}
    for data in corpus(size, seed=seed, month=None):
        by_month.setdefault(data["month"], []).append(data)
    return [
        households[start : start + BATCH]
        for _, households in sorted(by_month.items())
        for start in range(0, len(households), BATCH)
    ]


def derive(size: int, seed: int, jobs: int) -> dict[str, Any]:
    tax_benefit_system()
    checked_catalog()
    work = batches(size, seed)
    always_default: dict[str, bool] = {}
    inputs: set[str] = set()
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        for done, (found, batch_inputs) in enumerate(
            pool.imap_unordered(trace_batch, work), start=1
        ):
            for name, default in found.items():
                always_default[name] = always_default.get(name, True) and default
            inputs |= batch_inputs
            elapsed = time.perf_counter() - started
            print(f"\r{done}/{len(work)} batches, {elapsed:.0f} s", end="", flush=True)
    print()
    system = tax_benefit_system()
    read = set(catalog_variables(checked_catalog()))
    neutralised = sorted(
        name
        for name, default in always_default.items()
        if default
        and name not in inputs
        and name not in read
        and system.variables[name].formulas
    )
    print(
        f"{len(always_default)} variables computed, "
        f"{sum(1 for d in always_default.values() if not d)} moved from their default, "
        f"{len(neutralised)} neutralised"
    )
    return {
        "months": {"first": FIRST_MONTH, "last": LAST_MONTH},
        "rules": current_rules(),
        "corpus": {"households": size, "seed": seed},
        "read": sorted(read),
        "inputs": sorted(inputs),
        "neutralised": neutralised,
    }


HEADER = """\
# Variables of the rules no v1 household moves from their default value: neutralised
# (rules/folding.py) for the months below, with these rules packages.
# Generated by `python -m benchmarks.derive_folding`: do not edit by hand, regenerate.
# read: what the results read (never neutralised; a new one makes this list stale).
# inputs: what the mapping sets (never neutralised).
"""


def write(folding: dict[str, Any], path: Path) -> None:
    system = tax_benefit_system()
    body = yaml.safe_dump(
        {k: v for k, v in folding.items() if k != "neutralised"},
        sort_keys=False,
        allow_unicode=True,
        width=88,
    )
    lines = [HEADER, body, "neutralised:\n"]
    for name in folding["neutralised"]:
        label = str(system.variables[name].label or "").replace("\n", " ")
        lines.append(f"  - {name}  # {label}\n")
    path.write_text("".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=9000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--output", type=Path, default=FOLDING_FILE)
    args = parser.parse_args()
    folding = derive(args.households, args.seed, args.jobs)
    write(folding, args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
