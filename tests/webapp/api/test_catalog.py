"""GET /api/v1/benefits: the catalog as JSON, whole or for one commune."""

from __future__ import annotations

import pytest

from rules.system import checked_catalog, rules_versions
from simulator.engine import benefits_for
from webapp.api.schemas import Catalog

from .conftest import conforms, fields, problem

FIELDS = {
    "id",
    "label",
    "description",
    "institution",
    "territory",
    "variable",
    "entity",
    "period",
    "unit",
    "direction",
    "type",
    "how_to_apply",
    "documents",
    "legal_references",
}


def test_the_whole_catalog_is_listed_with_every_field(client):
    response = client.get("/api/v1/benefits")

    assert response.status_code == 200
    conforms(Catalog, response.get_data())
    body = response.get_json()
    assert body["rules"] == rules_versions()
    assert body["commune"] is None
    assert [b["id"] for b in body["benefits"]] == [b.id for b in checked_catalog()]
    for entry in body["benefits"]:
        assert set(entry) == FIELDS


def test_the_period_is_what_the_amount_covers(client):
    by_id = {b["id"]: b for b in client.get("/api/v1/benefits").get_json()["benefits"]}

    for benefit in checked_catalog():
        assert by_id[benefit.id]["period"] == benefit.paid_per


def test_a_commune_keeps_the_national_benefits_and_its_own_local_ones(client):
    body = client.get("/api/v1/benefits?commune=35238").get_json()

    ids = [b["id"] for b in body["benefits"]]
    assert body["commune"] == "35238"
    assert ids == [b.id for b in benefits_for("35238")]
    assert "rsa" in ids and "rennes_metropole_transport" in ids
    assert not any(i.startswith("paris_") for i in ids)


def test_a_paris_district_gives_the_aids_of_the_city(client):
    body = client.get("/api/v1/benefits?commune=75111").get_json()

    assert body["commune"] == "75056"
    assert "paris_logement" in [b["id"] for b in body["benefits"]]


@pytest.mark.parametrize("commune", ["99999", "3523", "abcde", ""])
def test_an_unknown_commune_is_a_422_naming_commune(client, commune):
    response = client.get(f"/api/v1/benefits?commune={commune}&lang=en")

    body = problem(response, 422)
    assert fields(body) == ["commune"]
    assert "INSEE" in body["errors"][0]["message"]


def test_labels_and_documents_follow_the_language(client):
    english = client.get("/api/v1/benefits?lang=en").get_json()["benefits"]
    french = client.get("/api/v1/benefits").get_json()["benefits"]

    catalog = checked_catalog()
    assert [b["label"] for b in english] == [b.label.en for b in catalog]
    assert [b["label"] for b in french] == [b.label.fr for b in catalog]
    assert english[0]["documents"] == [d.en for d in catalog[0].documents]
