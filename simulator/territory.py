"""French communes, postal codes, départements, regions and EPCI, from Etalab's data.

The official administrative division is installed from the npm registry
(@etalab/decoupage-administratif, see package.json); nothing here is typed by hand.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from rules.territories import epci_members, read_dataset


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    departement: str
    region: str
    postal_codes: tuple[str, ...]
    population: int = 0
    epcis: tuple[str, ...] = field(default=())  # SIREN numbers


class Communes:
    """Look-ups over the current communes (with Paris, Lyon, Marseille districts)."""

    def __init__(self) -> None:
        epci_by_commune: dict[str, list[str]] = {}
        for siren, members in epci_members().items():
            for code in members:
                epci_by_commune.setdefault(code, []).append(siren)
        self.by_code: dict[str, Commune] = {}
        self.district_parent: dict[str, str] = {}
        self.by_postal_code: dict[str, list[Commune]] = {}
        for row in read_dataset("communes"):
            if row["type"] == "arrondissement-municipal":
                self.district_parent[row["code"]] = row["commune"]
                continue
            if row["type"] != "commune-actuelle":
                continue
            commune = Commune(
                code=row["code"],
                name=row["nom"],
                departement=row.get("departement", ""),
                region=row.get("region", ""),
                postal_codes=tuple(row.get("codesPostaux", ())),
                population=row.get("population", 0),
                epcis=tuple(epci_by_commune.get(row["code"], ())),
            )
            self.by_code[commune.code] = commune
            for postal_code in commune.postal_codes:
                self.by_postal_code.setdefault(postal_code, []).append(commune)
        for candidates in self.by_postal_code.values():
            candidates.sort(key=lambda commune: -commune.population)

    def get(self, code: str) -> Commune | None:
        """The commune of an INSEE code; a district code gives its city."""
        return self.by_code.get(self.district_parent.get(code, code))

    def for_postal_code(self, postal_code: str) -> list[Commune]:
        """Every commune a postal code serves, the most populous first."""
        return list(self.by_postal_code.get(postal_code, ()))


@functools.cache
def communes() -> Communes:
    """The shared look-up table, read once per process."""
    return Communes()
