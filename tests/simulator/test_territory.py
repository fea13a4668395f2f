"""Communes, postal codes and EPCI read from Etalab's administrative division data."""

from __future__ import annotations

import pytest

from simulator.territory import communes

RENNES = "35238"
RENNES_METROPOLE = "243500139"  # SIREN of the EPCI


def test_a_postal_code_of_one_commune_gives_that_commune() -> None:
    found = communes().for_postal_code("35000")
    assert [commune.code for commune in found] == [RENNES]
    assert found[0].name == "Rennes"


def test_a_postal_code_of_several_communes_gives_the_most_populous_first() -> None:
    found = communes().for_postal_code("01400")
    assert len(found) > 1
    assert RENNES not in {commune.code for commune in found}
    populations = [commune.population for commune in found]
    assert populations == sorted(populations, reverse=True)
    assert all("01400" in commune.postal_codes for commune in found)


def test_the_list_of_a_postal_code_is_a_copy_callers_may_change() -> None:
    communes().for_postal_code("35000").clear()
    assert communes().for_postal_code("35000")


def test_rennes_belongs_to_rennes_metropole() -> None:
    rennes = communes().get(RENNES)
    assert rennes is not None
    assert RENNES_METROPOLE in rennes.epcis
    assert (rennes.departement, rennes.region) == ("35", "53")
    assert "35000" in rennes.postal_codes


@pytest.mark.parametrize(
    ("district", "city", "name"),
    [
        pytest.param("75112", "75056", "Paris", id="Paris 12e maps to Paris"),
        pytest.param("69381", "69123", "Lyon", id="Lyon 1er maps to Lyon"),
        pytest.param("13201", "13055", "Marseille", id="Marseille 1er maps to it"),
    ],
)
def test_a_district_code_gives_its_city(district: str, city: str, name: str) -> None:
    commune = communes().get(district)
    assert commune is not None
    assert (commune.code, commune.name) == (city, name)


def test_a_corsica_code_gives_its_commune_in_its_departement() -> None:
    ajaccio = communes().get("2A004")
    assert ajaccio is not None
    assert (ajaccio.name, ajaccio.departement) == ("Ajaccio", "2A")


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("99999", id="an unknown code"),
        pytest.param("3523", id="a code too short"),
        pytest.param("", id="an empty code"),
    ],
)
def test_an_unknown_commune_code_gives_none(code: str) -> None:
    assert communes().get(code) is None


def test_an_unknown_postal_code_gives_no_commune() -> None:
    assert communes().for_postal_code("00001") == []
