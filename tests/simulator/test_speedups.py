"""OpenFisca-core's shortened paths (simulator.speedups) change no value.

Households of every kind, over several months, get every value their results read
identical, bit for bit, with and without the shortened paths; the errors OpenFisca
raises for a wrong call are still raised.
"""

import numpy as np
import pytest
from openfisca_core import periods
from openfisca_core.errors import ParameterNotFoundError
from openfisca_core.indexed_enums import Enum, EnumArray
from openfisca_core.parameters import ParameterNode

from benchmarks.corpus import corpus
from simulator import speedups
from simulator.engine import run
from simulator.household import parse_request
from tests.simulator.values import same, values_read

MONTHS = ["2024-02", "2026-11"]
MONTH = periods.period("2026-11")


@pytest.fixture
def without_speedups():
    speedups.enabled(False)
    try:
        yield
    finally:
        speedups.enabled(True)


def simulate_values(requests):
    computed = run(requests)
    return [values_read(computed, i, r) for i, r in enumerate(requests)]


@pytest.mark.parametrize("month", MONTHS)
def test_every_value_the_results_read_is_identical_with_and_without_them(month):
    seed = int(month[5:]) + 41
    requests = [parse_request(data) for data in corpus(80, seed=seed, month=month)]
    # One household alone too: its simulation looks values up in another order.
    shortened = simulate_values(requests) + simulate_values(requests[:1])
    speedups.enabled(False)
    try:
        full = simulate_values(requests) + simulate_values(requests[:1])
    finally:
        speedups.enabled(True)
    differences = [
        (index, key, mine[key], theirs[key])
        for index, (mine, theirs) in enumerate(zip(shortened, full, strict=True))
        for key in theirs
        if not same(mine[key], theirs[key])
    ]
    assert not differences, differences[:10]
    assert sum(len(values) for values in full) > 80 * 20


@pytest.fixture(scope="module")
def simulation():
    request = parse_request(corpus(1, seed=5, month="2026-11")[0])
    return run([request]).simulation


def test_a_known_value_is_the_array_openfisca_holds(simulation):
    computed = simulation.calculate("salaire_net", "2026-11")
    again = simulation.calculate("salaire_net", MONTH)
    assert again is computed  # the value held, not a copy


def test_a_sum_over_a_year_is_openfiscas_sum(simulation, without_speedups):
    year = MONTH.this_year
    full = simulation.calculate_add("salaire_net", year)
    speedups.enabled(True)
    shortened = simulation.calculate_add("salaire_net", year)
    again = simulation.calculate_add("salaire_net", year)
    assert np.array_equal(shortened, full)
    assert np.array_equal(again, full)


def test_openfiscas_errors_are_still_raised(simulation):
    month = MONTH
    persons = simulation.persons
    persons("salaire_net", month)
    with pytest.raises(ValueError, match="whole month"):
        simulation.calculate("salaire_net", month.this_year)
    for _ in range(2):  # the second time through the remembered checks
        with pytest.raises(ValueError, match="eternity-long periods"):
            simulation.calculate_add("date_naissance", month.this_year)
    with pytest.raises(ValueError):
        persons("rsa", month)  # a family's variable asked of persons


def fresh_simulation():
    """A household's simulation with only its inputs (and the taxable income of N-2
    the mapping has computed first) in store."""
    from simulator.simulation import new_simulation
    from simulator.situation import build_situation

    request = parse_request(corpus(1, seed=9, month="2026-11")[0])
    return new_simulation(build_situation([request]))


def stored(simulation):
    """(entity, variable, period) → the array each holder keeps."""
    return {
        (entity, name, period): array
        for entity, population in simulation.populations.items()
        for name, holder in population._holders.items()
        for period, array in holder._memory_storage._arrays.items()
    }


def test_values_computed_and_kept_are_openfiscas_spirals_included():
    # The CSS reads a year of resources: AAH, ASI and housing aid at each past month,
    # where OpenFisca cuts its spirals and forgets the values computed inside them.
    with_them = fresh_simulation()
    computed = with_them.calculate("cmu_c", MONTH)
    speedups.enabled(False)
    try:
        without = fresh_simulation()
        expected = without.calculate("cmu_c", MONTH)
    finally:
        speedups.enabled(True)
    assert np.array_equal(computed, expected)
    kept, theirs = stored(with_them), stored(without)
    # The same values kept, except the defaults of inputs not given (not stored):
    missing = {key for key in theirs if key not in kept}
    assert {key for key in kept if key not in theirs} == set()
    systems = with_them.tax_benefit_system.variables
    assert all(
        systems[name].get_formula(periods.period(period)) is None
        for _entity, name, period in missing
    ), sorted(missing)[:5]
    differing = [k for k in kept if not np.array_equal(kept[k], theirs[k])]
    assert differing == []
    assert len(kept) > 1000


def test_an_input_not_given_is_its_default_in_one_read_only_array():
    simulation = fresh_simulation()
    first = simulation.calculate("gains_exceptionnels", MONTH)
    other = simulation.calculate("gains_exceptionnels", MONTH.offset(-30, "month"))
    assert other is first
    assert not first.flags.writeable
    assert first.tolist() == [0.0] * simulation.persons.count
    with pytest.raises(ValueError, match="read-only"):
        first[0] = 1.0


def test_a_role_is_openfiscas_in_one_read_only_array(simulation):
    from openfisca_france.entities import Famille

    persons = simulation.persons
    role = Famille.PARENT
    full = speedups.ORIGINAL["has_role"](persons, role)
    first = persons.has_role(role)
    assert persons.has_role(role) is first
    assert first.tolist() == full.tolist()
    assert not first.flags.writeable


def test_a_population_sum_or_division_is_openfiscas(simulation):
    from openfisca_core.populations import ADD, DIVIDE

    persons = simulation.persons
    foyers = simulation.populations["foyer_fiscal"]
    year = MONTH.this_year
    for _ in range(2):  # the second time through the remembered checks
        added = persons("salaire_net", year, options=[ADD])
        divided = foyers("rfr", MONTH, options=[DIVIDE])
    speedups.enabled(False)
    try:
        assert np.array_equal(added, persons("salaire_net", year, options=[ADD]))
        assert np.array_equal(divided, foyers("rfr", MONTH, options=[DIVIDE]))
    finally:
        speedups.enabled(True)
    with pytest.raises(ValueError, match="eternity-long periods"):
        persons("date_naissance", year, options=[ADD])


def marginal_rate_scales(instant):
    from openfisca_core.parameters import ParameterNodeAtInstant
    from openfisca_core.taxscales import MarginalRateTaxScale

    from rules.system import tax_benefit_system

    found = []

    def walk(node):
        for child in node._children.values():
            if isinstance(child, ParameterNodeAtInstant):
                walk(child)
            elif isinstance(child, MarginalRateTaxScale) and child.thresholds:
                found.append(child)

    walk(tax_benefit_system().get_parameters_at_instant(instant))
    return found


@pytest.mark.parametrize(
    ("instant", "memo_bytes"), [("2024-01-01", None), ("2026-11-01", 300)]
)
def test_every_marginal_rate_scale_gives_openfiscas_values(
    instant, memo_bytes, monkeypatch
):
    if memo_bytes is not None:  # results forgotten every few scales
        monkeypatch.setattr(speedups, "TAX_SCALE_MEMO_BYTES", memo_bytes)
    scales = marginal_rate_scales(instant)
    full = speedups.ORIGINAL["tax_scale"]
    generator = np.random.default_rng(7)
    bases = [
        generator.uniform(0, 10_000, 6).astype(np.float32),
        np.zeros(6, dtype=np.float32),
        generator.uniform(0, 200_000, 6),
    ]
    factors = [
        1.0,
        12,
        np.full(6, 3864.0, dtype=np.float32),
        generator.uniform(1, 5, 6),
    ]
    compared = 0
    for scale in scales:
        for base in bases:
            for factor in factors:
                for decimals in (None, 2):
                    expected = full(scale, base, factor, decimals)
                    for _ in range(2):  # computed, then remembered
                        got = scale.calc(base, factor, decimals)
                        assert got.dtype == expected.dtype
                        assert got.tobytes() == expected.tobytes(), scale
                        compared += 1
    assert len(scales) > 100
    assert compared > 100 * 24


def test_an_enum_comparison_is_openfiscas(simulation):
    full = speedups.ORIGINAL["enum_eq"]
    activities = simulation.calculate("activite", MONTH)
    kinds = activities.possible_values
    for item in kinds:
        assert (activities == item).tolist() == full(activities, item).tolist()
    housing = simulation.populations["menage"]("statut_occupation_logement", MONTH)
    other = housing.possible_values
    for compared in (0, [1], "actif", next(iter(other))):
        mine, theirs = activities == compared, full(activities, compared)
        assert np.asarray(mine).tolist() == np.asarray(theirs).tolist()


def zones_node(flat=False):
    """A parameter node indexed by zone, as housing aid's scales are, at one date
    (`flat`: the zones' values themselves)."""

    def value(amount):
        return {"values": {"2020-01-01": {"value": amount}}}

    data = {
        zone: value(base)
        if flat
        else {
            "plafond": {"seul": value(base), "couple": value(base * 1.5)},
            "entier": {"seul": value(int(base)), "couple": value(int(base) + 1)},
        }
        for zone, base in (("zone_1", 300.5), ("zone_2", 280.25), ("zone_3", 260.0))
    }
    return ParameterNode("aides", data=data).get_at_instant("2026-01-01")


class Zone(Enum):
    zone_1 = "Zone 1"
    zone_2 = "Zone 2"
    zone_3 = "Zone 3"


def fancy(node, key, path):
    """`node[key]` then `path` (attribute names; a list: an array key), OpenFisca's
    way or the shortened one as set."""
    found = node[key]
    for step in path:
        found = getattr(found, step) if isinstance(step, str) else found[step]
    return found


@pytest.mark.parametrize(
    "key",
    [
        np.array(["zone_2", "zone_1", "zone_2", "zone_3", "zone_2"]),
        np.array(["zone_3"]),
        EnumArray(np.array([2, 0, 0, 1, 2, 2], dtype=np.int16), Zone),
    ],
    ids=["strings", "one", "enum"],
)
@pytest.mark.parametrize(
    "path",
    [
        (),
        ("plafond", "couple"),
        ("entier", "seul"),
        ("plafond", np.array(["seul", "couple", "seul", "couple", "seul", "seul"])),
    ],
    ids=["value", "nested", "integer", "second-array-key"],
)
def test_a_parameter_indexed_by_a_variable_is_openfiscas(key, path):
    node = zones_node(flat=not path)
    if path and not isinstance(path[-1], str):
        path = (*path[:-1], path[-1][: len(key)])
    shortened = fancy(node, key, path)
    speedups.enabled(False)
    try:
        full = fancy(node, key, path)
        vector = node[key].vector if path else None
    finally:
        speedups.enabled(True)
    assert isinstance(shortened, np.ndarray)
    assert shortened.dtype == full.dtype
    assert np.array_equal(shortened, full)
    if path:
        assert node[key].vector == vector  # the same nodes, entity by entity


def test_a_parameter_indexed_by_a_missing_key_is_still_an_error():
    node = zones_node()
    with pytest.raises(ParameterNotFoundError):
        _ = node[np.array(["zone_1", "zone_9"])]
    with pytest.raises(ParameterNotFoundError):
        _ = node[np.array(["zone_1", "zone_2"])].plafond.trois


@pytest.mark.parametrize("month", MONTHS)
def test_every_input_is_stored_as_openfisca_stores_it(month):
    # The same (entity, variable, period) kept, as arrays of the same type, dtype and
    # values, for 40 households of every kind.
    from simulator.simulation import new_simulation
    from simulator.situation import build_situation

    requests = [parse_request(data) for data in corpus(40, seed=61, month=month)]
    shortened = stored(new_simulation(build_situation(requests)))
    speedups.enabled(False)
    try:
        full = stored(new_simulation(build_situation(requests)))
    finally:
        speedups.enabled(True)
    assert shortened.keys() == full.keys()
    differing = [
        key
        for key, array in full.items()
        if type(shortened[key]) is not type(array)
        or shortened[key].dtype != array.dtype
        or not np.array_equal(shortened[key], array)
    ]
    assert differing == []
    assert len(full) > 500


def test_an_input_is_the_array_given_or_a_copy_as_openfisca_keeps_it():
    # OpenFisca keeps the array given, but for a variable that divides a longer
    # period's amount between its months: a copy, even for one month.
    def kept(name, period, *values):
        fresh = fresh_simulation()
        for value in values:
            fresh.set_input(name, period, value)
        return fresh.get_holder(name)._memory_storage._arrays

    count = fresh_simulation().persons.count
    dispatched = np.array([True] * count)  # `handicap`: the same value each month
    divided = np.full(count, 1234.5, dtype=np.float32)  # `salaire_de_base`
    late = periods.period("2031-03")
    for on in (True, False):
        speedups.enabled(on)
        try:
            assert kept("handicap", late, dispatched)[late] is dispatched
            divided_kept = kept("salaire_de_base", late, divided)[late]
            assert divided_kept is not divided
            assert np.array_equal(divided_kept, divided)
            year = kept("salaire_de_base", "2031", np.full(count, 1200, np.float32))
            assert len(year) >= 12
            assert year[late][0] == pytest.approx(100.0)
            as_integers = np.full(count, 1000, dtype=np.int64)
            assert kept("salaire_de_base", late, as_integers)[late].dtype == np.float32
            again = kept("handicap", late, dispatched, ~dispatched)[late]
            assert again is dispatched  # the first value stays
            with pytest.raises(ValueError, match="length"):
                kept("handicap", late, np.array([True] * (count + 1)))
        finally:
            speedups.enabled(True)
