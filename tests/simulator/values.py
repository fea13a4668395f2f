"""Every value a household's results read, to compare two ways of simulating."""

import math

from simulator.engine import benefits_for, catalog_variables, entity_id_for


def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def values_read(computed, index, request):
    """Every value the results of a household read, at full precision."""
    values = computed.household(index)
    ids = values.ids
    people = [ids.person(m.id) for m in request.household.members]
    read = {}
    for benefit in benefits_for(request.household.commune):
        for variable in catalog_variables([benefit]):
            for person in people:
                entity_id = entity_id_for(variable, ids, person)
                read[(variable, entity_id)] = values.value(
                    variable, request.month, entity_id
                )
    return read
