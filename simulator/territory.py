"""French communes, postal codes, départements, regions and EPCI, from Etalab's data.

The official administrative division is installed from the npm registry
(@etalab/decoupage-administratif, see package.json); nothing here is typed by hand.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(
    os.environ.get(
        "COMMUNES_DATA_DIR",
        Path(__file__).resolve().parent.parent
        / "node_modules/@etalab/decoupage-administratif/data",
    )
)


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

    def __init__(self, data_dir: Path = DATA_DIR) -> None:
        communes = _read(data_dir / "communes.json")
        epci_by_commune: dict[str, list[str]] = {}
        for epci in _read(data_dir / "epci.json"):
            for member in epci["membres"]:
                epci_by_commune.setdefault(member["code"], []).append(epci["code"])
        self.by_code: dict[str, Commune] = {}
        self.district_parent: dict[str, str] = {}
        self.by_postal_code: dict[str, list[Commune]] = {}
        for row in communes:
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


def _read(path: Path) -> list[dict]:
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: run `make install` (npm installs the official "
            "administrative division data)"
        )
    with path.open(encoding="utf-8") as stream:
        return json.load(stream)


@functools.cache
def communes() -> Communes:
    """The shared look-up table, read once per process."""
    return Communes()
