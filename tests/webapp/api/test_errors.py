"""The API's one error format: problem details for every error under /api/, with the
fields at fault, in the requested language; never a server error for bad input.

Nothing here reaches the simulator: every request is refused before it.
"""

from __future__ import annotations

import json
import logging

import pytest

from simulator import service

from .conftest import fields, problem, read_example

SIMULATIONS = "/api/v1/simulations"


def household(**changes) -> dict:
    request = read_example("single-no-income")
    request["household"] = {**request["household"], **changes}
    return request


def member(**changes) -> dict:
    request = read_example("single-no-income")
    request["household"]["members"][0].update(changes)
    return request


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"",
        b'{"month": NaN}',
        b'{"household": {"housing": {"rent": Infinity}}}',
        b"[" * 100_000 + b"]" * 100_000,
        '{"month": "é"}'.encode("latin-1"),
    ],
    ids=["truncated", "empty", "nan", "infinity", "deep", "not-utf-8"],
)
def test_a_body_that_is_not_json_is_a_400_naming_the_body(client, body):
    response = client.post(
        SIMULATIONS, data=body, headers={"Content-Type": "application/json"}
    )

    body = problem(response, 400)
    assert fields(body) == [""]
    assert body["title"] == "Requête mal formée"


def test_a_json_error_says_where_the_json_breaks(client):
    response = client.post(
        f"{SIMULATIONS}?lang=en",
        data='{"month": "2026-11",\n "household": }',
        headers={"Content-Type": "application/json"},
    )

    assert "(line 2, column 15)" in problem(response, 400)["detail"]


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        None,
    ],
)
def test_a_body_that_is_not_sent_as_json_is_a_415(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}

    response = client.post(SIMULATIONS, data=b"{}", headers=headers)

    body = problem(response, 415)
    assert fields(body) == ["Content-Type"]
    assert "application/json" in body["detail"]


def test_json_with_a_charset_is_json(client):
    response = client.post(
        SIMULATIONS,
        data=b"{}",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )

    assert response.status_code == 422


def test_a_body_over_the_limit_is_a_413(make_app):
    client = make_app(MAX_CONTENT_LENGTH=1000).test_client()

    response = client.post(SIMULATIONS, json={"padding": "x" * 2000})

    body = problem(response, 413)
    assert "1000" in body["detail"]


def test_json_posts_need_no_csrf_token_unlike_forms(client):
    # The site's forms refuse a post without a token (400): the API is exempt.
    response = client.post(SIMULATIONS, json={})

    assert fields(problem(response, 422)) == ["household"]


def test_the_body_limit_defaults_to_10_megabytes(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024
    assert app.config["API_BATCH_MAX"] == 1000


@pytest.mark.parametrize(
    ("request_body", "field"),
    [
        (member(birth_date="1990-02-30"), "household.members[0].birth_date"),
        (member(birth_date="2030-01-01"), "household.members[0].birth_date"),
        (member(incomes={"salary": -1}), "household.members[0].incomes.salary"),
        (member(role="partner"), "household.members"),
        (member(pets=1), "household.members[0].pets"),
        (household(commune="99999"), "household.commune"),
        (household(housing={"tenure": "tenant"}), "household.housing.rent"),
        ({**read_example("single-no-income"), "month": "2026-13"}, "month"),
        ({"household": {}, "extra": True}, "extra"),
        ([read_example("single-no-income")], ""),
        ("a string", ""),
    ],
)
def test_a_household_breaking_the_contract_is_a_422_naming_the_field(
    client, request_body, field
):
    response = client.post(SIMULATIONS, json=request_body)

    assert field in fields(problem(response, 422))


def test_an_ambiguous_postal_code_lists_the_communes_to_choose_from(client):
    request = household(postal_code="01400")  # serves several communes
    del request["household"]["commune"]

    body = problem(client.post(SIMULATIONS, json=request), 422)

    [error] = body["errors"]
    assert error["field"] == "household.commune"
    assert len(error["choices"]) > 1
    assert {"code", "name"} == set(error["choices"][0])


@pytest.mark.parametrize("month", ["2020-01", "9999-12", "0000-01"])
def test_a_month_the_rules_cannot_compute_is_a_422_on_month(client, month):
    request = {**read_example("single-no-income"), "month": month}
    for person in request["household"]["members"]:
        person["birth_date"] = "1900-01-01"

    body = problem(client.post(SIMULATIONS, json=request), 422)

    assert fields(body) == ["month"]


def test_messages_are_in_english_with_lang_en_or_accept_language(client):
    request = member(birth_date="1990-02-30")

    by_query = problem(client.post(f"{SIMULATIONS}?lang=en", json=request), 422)
    by_header = client.post(
        SIMULATIONS, json=request, headers={"Accept-Language": "en"}
    )
    french = problem(client.post(SIMULATIONS, json=request), 422)

    assert by_query["errors"][0]["message"].startswith("Enter a real date")
    assert by_query["title"] == "Invalid data"
    assert problem(by_header, 422)["errors"] == by_query["errors"]
    assert by_header.headers["Content-Language"] == "en"
    assert french["errors"][0]["message"].startswith("Saisissez une date réelle")


def test_an_unknown_language_is_a_422_on_lang(client):
    response = client.post(f"{SIMULATIONS}?lang=de", json={})

    assert fields(problem(response, 422)) == ["lang"]


@pytest.mark.parametrize(
    "path", ["/api/v1/unknown", "/api/v2/simulations", "/api/", "/api/docs/x"]
)
def test_an_unknown_path_under_api_is_a_404_problem(client, path):
    problem(client.get(path), 404)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("get", SIMULATIONS, "POST"),
        ("put", "/api/v1/simulations/batch", "POST"),
        ("post", "/api/v1/benefits", "GET"),
        ("delete", "/api/v1/openapi.json", "GET"),
    ],
)
def test_a_wrong_method_is_a_405_problem_with_allow(client, method, path, allowed):
    response = getattr(client, method)(path)

    problem(response, 405)
    assert allowed in response.headers["Allow"]


def test_pages_outside_the_api_keep_their_html_error_pages(client):
    response = client.get("/page-inconnue")

    assert response.status_code == 404
    assert response.mimetype == "text/html"


@pytest.mark.db
@pytest.mark.parametrize("header", ["Bearer as_unknown", "Basic dXNlcjpwYXNz"])
def test_a_bad_key_is_a_401_problem(client, database, header):
    response = client.get("/api/v1/benefits", headers={"Authorization": header})

    problem(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.db
def test_a_revoked_key_is_a_403_problem(client, database):
    from webapp.api.access import create_api_key, revoke_api_key

    with client.application.app_context():
        record, key = create_api_key("former partner")
        revoke_api_key(record.id)

    response = client.get(
        "/api/v1/openapi.json", headers={"Authorization": f"Bearer {key}"}
    )

    problem(response, 403)


def test_a_caller_over_the_limit_gets_a_429_problem_with_retry_after(make_app):
    client = make_app(API_RATE_LIMIT_ANONYMOUS="1/minute").test_client()

    assert client.get("/api/v1/openapi.json").status_code == 200
    response = client.get("/api/v1/openapi.json")

    problem(response, 429)
    assert int(response.headers["Retry-After"]) > 0


def test_a_bug_is_a_logged_500_problem_without_internals(client, monkeypatch, caplog):
    def broken(request):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(service, "simulate_one", broken)

    with caplog.at_level(logging.ERROR):
        response = client.post(SIMULATIONS, json=read_example("single-no-income"))

    body = problem(response, 500)
    assert "secret internals" not in response.get_data(as_text=True)
    assert body["request_id"] in caplog.text
    assert "secret internals" in caplog.text


@pytest.mark.parametrize(
    ("sent", "echoed"),
    [
        ("partner-2026-11-25.42", True),
        ("urn:uuid:6ba7b810", True),
        ("x" * 64, True),
        ("x" * 65, False),
        ("with space", False),
        ("<script>", False),
        ("", False),
    ],
)
def test_a_well_formed_request_id_is_echoed_else_one_is_made(client, sent, echoed):
    response = client.get("/api/v1/nope", headers={"X-Request-Id": sent})

    request_id = response.headers["X-Request-Id"]
    assert problem(response, 404)["request_id"] == request_id
    if echoed:
        assert request_id == sent
    else:
        assert len(request_id) == 32 and int(request_id, 16) >= 0


def test_every_problem_type_points_at_its_explanation_on_the_docs_page(client):
    body = problem(client.get("/api/v1/nope"), 404)
    path, anchor = body["type"].split("#")

    page = client.get(path.replace("http://localhost", "")).get_data(as_text=True)

    assert f'id="{anchor}"' in page


def test_a_problem_is_plain_json_with_the_rfc_9457_members(client):
    response = client.post(SIMULATIONS, json=member(birth_date="1990-02-30"))

    body = json.loads(response.get_data())
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["errors"] == [
        {
            "field": "household.members[0].birth_date",
            "message": "Saisissez une date réelle au format AAAA-MM-JJ, "
            "par exemple 1990-01-31.",
        }
    ]
