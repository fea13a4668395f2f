"""Shorter paths through OpenFisca-core (installed by simulator.simulation).

Profiling a household's simulation (cProfile) puts OpenFisca's own bookkeeping first.

- Period arithmetic: `Instant.offset` and `Period.stop` compute dates through
  pendulum, 90,000 times a household, for a few hundred distinct periods. Instants and
  periods are immutable tuples, so both are pure functions of their arguments: they
  are memoised; `periods.period()` returns a Period given a Period without its
  dispatch, and parses each string once (about 20 % of a household's time).
- Values already known: of the ~50,000 look-ups a household's simulation makes, ~43,000
  find a value computed before. `Simulation.calculate` goes through its tracer, the
  variable's checks and the holder's storage for each; here a known value of a
  variable held in memory is returned at once (about 13 % of a household's time).
  The full path stays for storage on disk, a `start_computation_period`, periods
  OpenFisca would refuse, and simulations traced with OpenFisca's full tracer.
- Values to compute: `Simulation.calculate` then looks up again the variable, its
  population, its holder and the value, checks the period and the formula's date;
  here the formula runs at once, with OpenFisca's own cycle and spiral checks on the
  same stack, its cast and storage of the result (an array of the variable's type
  and length straight into the holder's memory, as `Holder._set` would put it), and
  the purge of what a spiral invalidated (about 25 % of a household's time).
- An input not given for a period (about a quarter of the ~5,000 variables a household
  computes have no formula there) and a variable folded away (neutralised) give the
  same default values at every call: one read-only array per simulation instead of a
  new one each time.
- A population's call (`persons("salaire_net", period)`, with or without the ADD or
  DIVIDE option) checks, each time, that the variable belongs to the entity and that
  the period is one: a variable that passed once for a population passes again, and
  a Period is a period.
- Roles, cycles, spirals: a person's role is one read-only array per simulation; a
  spiral's error no longer writes the whole stack into its message (OpenFisca catches
  it at once); the values a spiral invalidated are removed one by one rather than by
  rebuilding each holder's store.
- Enums: an array compared with an item of its own enum compares indices at once
  (OpenFisca first compares the two enums through their names' hashes).
- Marginal rate scales: OpenFisca-France applies each contribution's scale to every
  category of employee each month, mostly to the same bases; a scale's result is a
  pure function of its thresholds, rates, bases, factor and rounding: remembered.
- Sums over a year (`calculate_add`): the variable's checks are the same for a given
  unit, and a period's sub-periods are a pure function of it; both are remembered.
- Parameters indexed by a variable (`bareme[zone]`, "fancy indexing"): OpenFisca looks
  each entity's key up, and then each attribute of the result entity by entity (8 %
  of a batch of 1,000 households); here each distinct key is looked up once and the
  values spread to the entities as the last step.
- Inputs: `Simulation.set_input` looks the variable up, checks its period and array,
  and goes through the variable's own way of setting a longer period (9 µs an input,
  3,600 inputs in a batch of 8 households: 8 % of its time). An array that needs none
  of it is stored at once: not an enum's (OpenFisca encodes those), of the
  variable's type and the population's length, for one period of the variable's own
  unit (eternity for an eternal one), with nothing there yet, held in memory, for a
  variable neither neutralised nor ended. A variable that divides a longer period
  between its sub-periods stores a copy, as OpenFisca's division makes one; the
  others the array given, as OpenFisca does. Anything else goes OpenFisca's way.

Results are bit for bit the same: the same arrays, summed in the same order
(`tests/simulator/test_speedups.py` compares every catalog value with and without,
and every value kept in a simulation after spirals).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from openfisca_core import periods
from openfisca_core.errors import CycleError, SpiralError
from openfisca_core.holders import set_input_divide_by_period
from openfisca_core.indexed_enums import Enum, EnumArray
from openfisca_core.parameters import (
    ParameterNodeAtInstant,
    VectorialParameterNodeAtInstant,
)
from openfisca_core.periods import DateUnit, instant_, period_
from openfisca_core.populations import ADD, DIVIDE, CorePopulation, Population
from openfisca_core.simulations import Simulation
from openfisca_core.taxscales import MarginalRateTaxScale
from openfisca_core.tracers import SimpleTracer

CACHE_SIZE = 65_536  # distinct (instant, offset, unit) or periods: a few hundred used

_installed = False


def install() -> None:
    """Patch OpenFisca-core once per process (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True

    offset = functools.lru_cache(maxsize=CACHE_SIZE)(instant_.Instant.offset)

    def cached_offset(self: Any, offset_: Any, unit: Any) -> Any:
        return offset(self, offset_, unit)

    cached_offset.__doc__ = instant_.Instant.offset.__doc__
    instant_.Instant.offset = cached_offset  # type: ignore[method-assign]

    stop = functools.lru_cache(maxsize=CACHE_SIZE)(period_.Period.stop.fget)
    period_.Period.stop = property(  # type: ignore[method-assign]
        lambda self: stop(self), doc=period_.Period.stop.__doc__
    )

    build = periods.period
    parse = functools.lru_cache(maxsize=CACHE_SIZE)(build)
    Period = period_.Period

    def period(value: Any) -> Any:
        if type(value) is Period:
            return value
        if type(value) is str:  # "2026-11", "2026", "ETERNITY": parsed once
            return parse(value)
        return build(value)

    period.__doc__ = build.__doc__
    periods.period = period

    install_known_values()
    install_population_calls()
    install_sums()
    install_roles()
    install_cycle_checks()
    install_purge()
    install_tax_scales()
    install_enum_comparisons()
    install_vectorial_parameters()
    install_inputs()


# The original methods, for the paths not shortened (and to compare with, in tests).
ORIGINAL = {
    "calculate": Simulation.calculate,
    "population_call": CorePopulation.__call__,
    "calculate_add": Simulation.calculate_add,
    "has_role": Population.has_role,
    "check_for_cycle": Simulation._check_for_cycle,
    "purge": Simulation.purge_cache_of_invalid_values,
    "tax_scale": MarginalRateTaxScale.calc,
    "enum_eq": EnumArray.__eq__,
    "vectorial_build": VectorialParameterNodeAtInstant.build_from_node_name,
    "vectorial_getitem": VectorialParameterNodeAtInstant.__getitem__,
    "set_input": Simulation.set_input,
}
ETERNITY = periods.period(DateUnit.ETERNITY)


def enabled(on: bool) -> None:
    """Use (True) or not (False) the shortened paths: for tests that compare."""
    global _enabled
    _enabled = on


_enabled = True


def known_holders(simulation: Simulation) -> dict[str, Any]:
    """variable → (storage key of eternal values or None, or NEUTRALISED; holder), or
    None when the variable must take the full path (on disk, unknown)."""
    found = simulation.__dict__.get("_known_holders")
    if found is None:
        found = simulation.__dict__["_known_holders"] = {}
    return found


def install_known_values() -> None:
    full = ORIGINAL["calculate"]

    def calculate(self: Simulation, variable_name: str, period: Any) -> Any:
        if _enabled and type(period) is Period and type(self.tracer) is SimpleTracer:
            holders = known_holders(self)
            entry = holders.get(variable_name, False)
            if entry is False:
                entry = holders[variable_name] = holder_entry(self, variable_name)
            if entry is not None:
                eternal, holder = entry
                if eternal is NEUTRALISED:
                    return default_value(self, holder, period, full)
                found = holder._memory_storage._arrays.get(eternal or period)
                if found is not None:
                    return found
                if self.start_computation_period is None:
                    formula = formula_for(holder.variable, period)
                    if formula is not REFUSED:
                        return compute(self, holder, period, formula, full)
        return full(self, variable_name, period)

    calculate.__doc__ = full.__doc__
    Simulation.calculate = calculate  # type: ignore[method-assign]


Period = period_.Period


NEUTRALISED = object()  # the marker of a neutralised variable's entry


def holder_entry(simulation: Simulation, variable_name: str) -> Any:
    variable = simulation.tax_benefit_system.variables.get(variable_name)
    if variable is None:
        return None
    holder = simulation.get_variable_population(variable_name).get_holder(variable_name)
    if variable.is_neutralized:
        return NEUTRALISED, holder
    if holder._disk_storage is not None:
        return None
    eternal = ETERNITY if holder._memory_storage.is_eternal else None
    return eternal, holder


REFUSED = object()  # a period OpenFisca would refuse for the variable: its full path


def formula_for(variable: Any, period: Any) -> Any:
    """The variable's formula at `period`, None if it has none there (an input), or
    REFUSED when OpenFisca's `_check_period_consistency` would not let it be computed
    for such a period (stricter: the full path then raises OpenFisca's own error).

    Remembered by period on the variable: its formulas and their dates never change
    once the rules are built.
    """
    formulas = variable.__dict__.get("_formula_for")
    if formulas is None:
        formulas = variable.__dict__["_formula_for"] = {}
    found = formulas.get(period, REFUSED)
    if found is REFUSED and period not in formulas:
        definition = variable.definition_period
        if definition == DateUnit.ETERNITY or (
            period.unit == definition and period.size == 1
        ):
            found = variable.get_formula(period)
        formulas[period] = found
    return found


def compute(
    simulation: Simulation, holder: Any, period: Any, formula: Any, full: Any
) -> Any:
    """OpenFisca's `Simulation.calculate` for a value not known yet, the same steps
    in the same order without the look-ups done already (variable, population,
    holder, cache, checks of the period).

    A variable without a formula at that period (an input not given) gives its
    default values: one read-only array per variable, not stored (as for a neutralised
    variable). Otherwise: the cycle and spiral checks on the tracer's stack, the
    formula, the cast and storage of its result, the default value on a spiral, and
    the purge of the values a spiral invalidated once the stack is empty.
    """
    if formula is None:
        return default_value(simulation, holder, period, full)
    variable = holder.variable
    name = variable.name
    stack = simulation.tracer._stack
    stack.append({"name": name, "period": period})
    try:
        try:
            simulation._check_for_cycle(name, period)
            if formula.__code__.co_argcount == 2:
                array = formula(holder.population, period)
            else:
                array = formula(
                    holder.population,
                    period,
                    simulation.tax_benefit_system.get_parameters_at_instant,
                )
            if array is None:
                array = holder.default_array()
            storage = storage_of(holder)
            if storage is None:  # an enum, or not stored in memory only
                array = simulation._cast_formula_result(array, variable)
                holder.put_in_cache(array, period)
            else:
                array = store(storage, holder, array, period)
        except SpiralError:
            array = holder.default_array()
        return array
    finally:
        stack.pop()
        simulation.purge_cache_of_invalid_values()


def storage_of(holder: Any) -> Any:
    """The in-memory storage a formula's results go straight into, or None when
    OpenFisca's own way is kept: an enum (encoded on the way), a variable stored on
    disk, left out of the cache or not kept (`memory_config`)."""
    found = holder.__dict__.get("_direct_storage", REFUSED)
    if found is REFUSED:
        simulation = holder.simulation
        system = simulation.tax_benefit_system
        blacklisted = simulation.opt_out_cache and holder.variable.name in (
            system.cache_blacklist or ()
        )
        plain = not holder.variable.value_type == Enum
        direct = plain and not (
            holder._do_not_store or holder._on_disk_storable or blacklisted
        )
        found = holder.__dict__["_direct_storage"] = (
            holder._memory_storage if direct else None
        )
    return found


def store(storage: Any, holder: Any, value: Any, period: Any) -> Any:
    """OpenFisca's `_cast_formula_result` then `put_in_cache` for a variable that is
    not an enum: a formula's result as an array of the variable's type, kept in
    `storage` (see `storage_of`) as it is when of the right length and type, as
    `Holder._set` would keep it."""
    variable = holder.variable
    if not isinstance(value, np.ndarray):
        value = holder.population.filled_array(value)
    if value.dtype != variable.dtype:
        value = value.astype(variable.dtype)
    if (
        type(value) is np.ndarray
        and value.ndim == 1
        and len(value) == holder.population.count
    ):
        storage.put(value, period)
    else:
        holder.put_in_cache(value, period)
    return value


def default_value(simulation: Simulation, holder: Any, period: Any, full: Any) -> Any:
    """The default values of a neutralised variable, or of one OpenFisca has no value
    nor formula for at `period` (an input not given): one read-only array per
    variable and simulation, where OpenFisca makes a new one at each call (10,000
    calls for a household with the folded rules). The first call of each unit of
    period goes the full way, for its checks (and stores its values, as OpenFisca
    does)."""
    shared = holder.__dict__.get("_shared_default")
    if shared is None:
        shared = holder.__dict__["_shared_default"] = ({}, None)
    units, array = shared
    if period.unit in units:
        return array
    array = full(simulation, holder.variable.name, period)
    array.flags.writeable = False  # a formula changing it in place would raise
    holder.__dict__["_shared_default"] = ({**units, period.unit: True}, array)
    return array


def install_population_calls() -> None:
    full = ORIGINAL["population_call"]

    def call(
        self: CorePopulation, variable_name: str, period: Any, options: Any = None
    ) -> Any:
        if _enabled and type(period) is Period:
            checked = self.__dict__.get("_checked_variables")
            if checked is not None and variable_name in checked:
                if options is None:
                    return self.simulation.calculate(variable_name, period)
                if type(options) in (list, tuple) and len(options) == 1:
                    if options[0] is ADD:
                        return self.simulation.calculate_add(variable_name, period)
                    if options[0] is DIVIDE:
                        return self.simulation.calculate_divide(variable_name, period)
            result = full(self, variable_name, period, options)
            if self.simulation is not None:
                # The variable belongs to this entity: the call went through.
                self.__dict__.setdefault("_checked_variables", set()).add(variable_name)
            return result
        return full(self, variable_name, period, options)

    call.__doc__ = full.__doc__
    CorePopulation.__call__ = call  # type: ignore[method-assign]


def install_sums() -> None:
    full = ORIGINAL["calculate_add"]
    checked: set[tuple[int, str, Any]] = set()

    @functools.lru_cache(maxsize=CACHE_SIZE)
    def subperiods(period: Any, unit: Any) -> tuple[Any, ...]:
        return tuple(period.get_subperiods(unit))

    def calculate_add(self: Simulation, variable_name: str, period: Any) -> Any:
        if not _enabled or type(period) is not Period:
            return full(self, variable_name, period)
        system = self.tax_benefit_system
        key = (id(system), variable_name, period.unit)
        if key not in checked:
            # The first time, OpenFisca's own checks (they raise for a variable or a
            # unit that cannot be added) and sum.
            result = full(self, variable_name, period)
            checked.add(key)
            return result
        unit = system.variables[variable_name].definition_period
        return sum(
            self.calculate(variable_name, sub_period)
            for sub_period in subperiods(period, unit)
        )

    calculate_add.__doc__ = full.__doc__
    Simulation.calculate_add = calculate_add  # type: ignore[method-assign]


def install_roles() -> None:
    full = ORIGINAL["has_role"]

    def has_role(self: Population, role: Any) -> Any:
        """Whether each person has `role`: the members' roles never change once a
        simulation is built, so one read-only array per role and simulation."""
        if not _enabled or self.simulation is None:
            return full(self, role)
        roles = self.__dict__.get("_roles")
        if roles is None:
            roles = self.__dict__["_roles"] = {}
        found = roles.get(role)
        if found is None:
            found = roles[role] = full(self, role)
            found.flags.writeable = False  # a formula changing it in place would raise
        return found

    has_role.__doc__ = full.__doc__
    has_role.projectable = True  # type: ignore[attr-defined]
    Population.has_role = has_role  # type: ignore[method-assign]


def install_cycle_checks() -> None:
    full = ORIGINAL["check_for_cycle"]

    def check_for_cycle(self: Simulation, variable: str, period: Any) -> None:
        """OpenFisca's check, without writing the whole stack into the message of
        the SpiralError it raises: OpenFisca catches that error at once (a spiral is
        cut to the default value), and formatting the stack took 2 % of a household's
        time (300 spirals a household)."""
        if not _enabled:
            return full(self, variable, period)
        previous_periods = [
            frame["period"]
            for frame in self.tracer.stack[:-1]
            if frame["name"] == variable
        ]
        if period in previous_periods:
            message = f"Circular definition detected on formula {variable}@{period}"
            raise CycleError(message)
        if len(previous_periods) >= self.max_spiral_loops:
            self.invalidate_spiral_variables(variable)
            message = f"Quasicircular definition detected on {variable}@{period}"
            raise SpiralError(message, variable)
        return None

    check_for_cycle.__doc__ = full.__doc__
    Simulation._check_for_cycle = check_for_cycle  # type: ignore[method-assign]


def install_purge() -> None:
    full = ORIGINAL["purge"]

    def purge(self: Simulation) -> None:
        """Forget the values a spiral invalidated, once the stack is empty.

        OpenFisca rebuilds a holder's whole store for each value forgotten, testing
        whether each period it holds lies inside the one to forget (120,000 tests a
        household). A value held in memory for a single period of its variable's own
        unit (what a holder stores, but for eternal variables) is the only one such a
        period contains: it is removed alone. Anything else takes OpenFisca's way.
        """
        if not _enabled:
            return full(self)
        if self.tracer.stack:
            return None
        for name, period in self.invalidated_caches:
            holder = self.get_holder(name)
            storage = holder._memory_storage
            if (
                type(period) is Period
                and period.size == 1
                and period.unit == holder.variable.definition_period
                and holder._disk_storage is None
                and not storage.is_eternal
            ):
                storage._arrays.pop(period, None)
            else:
                holder.delete_arrays(period)
        self.invalidated_caches = set()
        return None

    purge.__doc__ = full.__doc__
    Simulation.purge_cache_of_invalid_values = purge  # type: ignore[method-assign]


# The bytes of bases, factors and results kept, forgotten all at once past it: a
# simulation of 500 households applies ~1,100 distinct ones (18 MB), mostly used again
# within the same year; capped at 4 MB, measured no slower than not capped.
TAX_SCALE_MEMO_BYTES = 4_000_000


def install_tax_scales() -> None:
    full = ORIGINAL["tax_scale"]
    memo: dict[tuple[Any, ...], Any] = {}
    size = [0]

    def calc(
        self: MarginalRateTaxScale,
        tax_base: Any,
        factor: Any = 1.0,
        round_base_decimals: int | None = None,
    ) -> Any:
        """A marginal rate scale applied to `tax_base`: a pure function of the scale's
        thresholds and rates, the bases, the factor and the rounding, remembered.

        OpenFisca-France applies each contribution's scale to every category of
        employee, each month, mostly to the same bases (zero for the categories a
        person is not in, the same salary month after month): 240 applications a
        household's simulation, each a dozen small numpy operations (10 % of its
        time). The result is OpenFisca's own array, read-only.
        """
        if not _enabled or type(tax_base) is not np.ndarray:
            return full(self, tax_base, factor, round_base_decimals)
        if type(factor) is np.ndarray:
            factor_key: Any = (factor.dtype.str, factor.tobytes())
        elif type(factor) in (float, int):
            factor_key = factor
        else:
            return full(self, tax_base, factor, round_base_decimals)
        key = (
            tuple(self.thresholds),
            tuple(self.rates),
            round_base_decimals,
            tax_base.dtype.str,
            tax_base.tobytes(),
            factor_key,
        )
        found = memo.get(key)
        if found is None:
            found = full(self, tax_base, factor, round_base_decimals)
            found.flags.writeable = False  # a formula changing it in place would raise
            weight = found.nbytes + tax_base.nbytes
            if type(factor) is np.ndarray:
                weight += factor.nbytes
            if size[0] + weight > TAX_SCALE_MEMO_BYTES:
                memo.clear()
                size[0] = 0
            memo[key] = found
            size[0] += weight
        return found

    calc.__doc__ = full.__doc__
    MarginalRateTaxScale.calc = calc  # type: ignore[method-assign]


def install_enum_comparisons() -> None:
    full = ORIGINAL["enum_eq"]

    def eq(self: EnumArray, other: object) -> Any:
        """`categorie_salarie == TypesCategorieSalarie.prive_non_cadre`: OpenFisca
        compares the item's enum with the array's by their names' hashes, then the
        indices; an item of the array's very enum goes straight to the indices."""
        if _enabled and other.__class__ is self.possible_values is not None:
            return self.view(np.ndarray) == other.index  # type: ignore[attr-defined]
        return full(self, other)

    eq.__doc__ = full.__doc__
    EnumArray.__eq__ = eq  # type: ignore[method-assign,assignment]


# Kinds of key arrays looked up by distinct key: strings (enum names), integers, dates.
DISTINCT_KEY_KINDS = frozenset("UiuM")


class DistinctVectorialNode(VectorialParameterNodeAtInstant):
    """A vectorial parameter node that holds each distinct node once (`distinct`) and,
    for each entity, the index of its own there (`inverse`).

    An attribute or a string key is looked up once per distinct node; an array key
    (a second fancy indexing) takes OpenFisca's way on the entity-by-entity `vector`.
    """

    def __init__(
        self, distinct: list[Any], inverse: np.ndarray, name: str, instant_str: str
    ) -> None:
        # Not VectorialParameterNodeAtInstant.__init__: `vector` is a property here.
        self.distinct = distinct
        self.inverse = inverse
        self._name = name
        self._instant_str = instant_str

    @property
    def vector(self) -> list[Any]:  # type: ignore[override]
        distinct = self.distinct
        return [distinct[index] for index in self.inverse]

    def __getitem__(self, key: Any) -> Any:
        if _enabled and isinstance(key, str):
            return spread(self, [node[key] for node in self.distinct], self.inverse)
        return ORIGINAL["vectorial_getitem"](self, key)


def spread(node: Any, distinct: list[Any], inverse: np.ndarray) -> Any:
    """What OpenFisca's `build_from_nodes` makes of the entities' nodes, given each
    distinct node once: a vectorial node, or the values (the same dtype: the entities'
    values are the distinct ones repeated)."""
    if isinstance(distinct[0], ParameterNodeAtInstant):
        return DistinctVectorialNode(distinct, inverse, node._name, node._instant_str)
    return np.array(distinct)[inverse]


def install_vectorial_parameters() -> None:
    full = ORIGINAL["vectorial_build"]
    Vectorial = VectorialParameterNodeAtInstant

    def build_from_node_name(node: Any, key: Any) -> Any:
        """OpenFisca's fancy indexing of `node` by `key`: a look-up a distinct key."""
        if not _enabled or not isinstance(key, np.ndarray) or not len(key):
            return full(node, key)
        Vectorial.check_node_vectorisable(node)
        keys = Vectorial._get_appropriate_keys(key)
        if keys.dtype.kind not in DISTINCT_KEY_KINDS:
            return full(node, key)
        distinct, inverse = np.unique(keys, return_inverse=True)
        subnode_key = Vectorial._get_appropriate_subnode_function(distinct[0])
        nodes = [node[subnode_key(node, each)] for each in distinct]
        return spread(node, nodes, inverse)

    build_from_node_name.__doc__ = full.__doc__
    Vectorial.build_from_node_name = staticmethod(build_from_node_name)


def install_inputs() -> None:
    full = ORIGINAL["set_input"]

    def set_input(
        self: Simulation, variable_name: str, period: Any, value: Any
    ) -> None:
        if _enabled and type(value) is np.ndarray:
            holders = known_holders(self)
            entry = holders.get(variable_name, False)
            if entry is False:
                entry = holders[variable_name] = holder_entry(self, variable_name)
            if entry is not None and entry[0] is not NEUTRALISED:
                eternal, holder = entry
                variable = holder.variable
                period = periods.period(period)
                storage = holder._memory_storage
                if (
                    variable.end is None
                    and value.ndim == 1
                    and len(value) == holder.population.count
                    and value.dtype == variable.dtype
                    and (
                        period.unit == DateUnit.ETERNITY
                        if eternal
                        else period.unit == variable.definition_period
                        and period.size == 1
                    )
                    and not holder._on_disk_storable
                    and storage._arrays.get(eternal or period) is None
                ):
                    if variable.set_input is set_input_divide_by_period:
                        value = value.copy()
                    storage.put(value, period)
                    return None
        return full(self, variable_name, period, value)

    set_input.__doc__ = full.__doc__
    Simulation.set_input = set_input  # type: ignore[method-assign]
