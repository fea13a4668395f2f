"""The official administrative division of France (Etalab), and the EPCI reform.

The data come from the npm registry (@etalab/decoupage-administratif, see package.json):
nothing here is typed by hand.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
from openfisca_core import reforms
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_france.model.base import MONTH, Menage, Variable

DATA_DIR = Path(
    os.environ.get(
        "COMMUNES_DATA_DIR",
        Path(__file__).resolve().parent.parent
        / "node_modules/@etalab/decoupage-administratif/data",
    )
)


def read_dataset(name: str) -> list[dict[str, Any]]:
    """One file of the administrative division: communes, epci, departements..."""
    path = DATA_DIR / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: run `make install` (npm installs the official "
            "administrative division data)"
        )
    with path.open(encoding="utf-8") as stream:
        return json.load(stream)


@functools.cache
def epci_members() -> dict[str, tuple[str, ...]]:
    """SIREN of each EPCI → INSEE codes of its member communes."""
    return {
        epci["code"]: tuple(member["code"] for member in epci["membres"])
        for epci in read_dataset("epci")
    }


def epci_variable(siren: str, communes: tuple[str, ...]) -> type[Variable]:
    codes = np.array(communes, dtype="S5")

    def formula(menage, period):
        return np.isin(menage("depcom", period), codes)

    return type(
        f"menage_dans_epci_siren_{siren}",
        (Variable,),
        {
            "value_type": bool,
            "entity": Menage,
            "definition_period": MONTH,
            "label": f"Ménage dans une commune de l'EPCI {siren}",
            "reference": "https://www.banatic.interieur.gouv.fr",
            "formula": formula,
        },
    )


class epci_reform(reforms.Reform):
    """Adds `menage_dans_epci_siren_<SIREN>` for every current EPCI.

    openfisca-france-local's local aids test EPCI membership through these variables;
    its own reform reads a 2020 spreadsheet, this one the current official list.
    """

    name = "EPCI membership from the official administrative division"

    def apply(self) -> None:
        for siren, communes in epci_members().items():
            self.add_variable(epci_variable(siren, communes))


def with_epci(system: TaxBenefitSystem) -> TaxBenefitSystem:
    return epci_reform(system)
