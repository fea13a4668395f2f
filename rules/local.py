"""Our own extension of the rules: inputs local aids need that the packages lack.

openfisca-paris leaves `parisien` (at least three years of residence in Paris) as an
input that defaults to false, so every Paris aid comes out at zero. The household model
knows since when the household lives in its commune; this reform turns that into
`parisien` with a dated parameter.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
from openfisca_core import reforms
from openfisca_core.parameters import ParameterNode, load_parameter_file
from openfisca_core.periods import ETERNITY, MONTH
from openfisca_france.model.base import Famille, Menage, Variable

PARAMETERS = Path(__file__).parent / "parameters"
PARIS = b"75056"


class date_arrivee_commune(Variable):
    value_type = datetime.date
    entity = Menage
    definition_period = ETERNITY
    label = "Date à laquelle le ménage est venu habiter dans sa commune"
    default_value = datetime.date(9999, 12, 1)


class parisien(Variable):
    value_type = bool
    entity = Famille
    definition_period = MONTH
    label = "Résident à Paris depuis au moins la durée requise (3 ans)"
    reference = "https://www.paris.fr/pages/les-aides-sociales-du-casvp-2290"

    def formula(famille, period, parameters):
        """Living in Paris since at least the minimum residence duration."""
        years = parameters(period).paris_local.duree_residence_minimum
        depcom = famille.demandeur.menage("depcom", period)
        arrival = famille.demandeur.menage("date_arrivee_commune", period)
        start = np.datetime64(str(period.start))
        months = (
            start.astype("datetime64[M]") - arrival.astype("datetime64[M]")
        ).astype(int)
        return (depcom == PARIS) * (months >= years * 12)


class local_reform(reforms.Reform):
    name = "Residence duration for local aids"

    def apply(self) -> None:
        self.add_variable(date_arrivee_commune)
        self.update_variable(parisien)
        self.modify_parameters(add_local_parameters)


def add_local_parameters(parameters: ParameterNode) -> ParameterNode:
    node = ParameterNode("paris_local", data={})
    node.add_child(
        "duree_residence_minimum",
        load_parameter_file(
            str(PARAMETERS / "paris" / "duree_residence_minimum.yaml"),
            "paris_local.duree_residence_minimum",
        ),
    )
    parameters.add_child("paris_local", node)
    return parameters
