"""The documentation page (/api/docs), rendered on the server from the OpenAPI document.

No JavaScript: operations, parameters, schemas and error statuses become headings and
tables, with curl commands that work when pasted (the host is the one serving the page).
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any

from flask import request

from webapp.api.problems import STATUSES

Link = tuple[str, str | None]  # text, and the in-page anchor it links to (or None)

TYPE_NAMES = {
    "string": "texte",
    "number": "nombre",
    "integer": "entier",
    "boolean": "booléen",
    "null": "null",
    "object": "objet",
    "array": "liste",
}
LOCATIONS = {"query": "paramètre d'URL", "header": "en-tête"}
BOUNDS = (
    ("minimum", "au moins {}"),
    ("maximum", "au plus {}"),
    ("minLength", "au moins {} caractères"),
    ("maxLength", "au plus {} caractères"),
    ("minItems", "au moins {} éléments"),
    ("maxItems", "au plus {} éléments"),
)


@dataclass(frozen=True)
class Curl:
    """A curl command: a file of the repository, or a documented example inline."""

    label: str
    method: str = "get"
    query: str = ""
    file: str | None = None
    example: str | None = None


CURLS: dict[str, tuple[Curl, ...]] = {
    "simulate": (
        Curl(
            "Depuis la racine du dépôt, avec un fichier d'exemple",
            "post",
            file="examples/single-no-income.json",
        ),
        Curl(
            "Le foyer dans la commande, réponse en anglais",
            "post",
            query="?lang=en",
            example="single-no-income",
        ),
    ),
    "simulate_batch": (
        Curl(
            "Deux foyers, dont un invalide (la clé dans la variable API_KEY)",
            "post",
            example="mixed-batch",
        ),
    ),
    "simulate_variations": (
        Curl(
            "Les aides d'un foyer selon son salaire, de 0 à 2 000 € (5 points)",
            "post",
            example="salary-axis",
        ),
    ),
    "list_benefits": (
        Curl(
            "Les aides qui s'appliquent à Rennes, en anglais",
            query="?commune=35238&lang=en",
        ),
    ),
    "openapi": (Curl("Le document OpenAPI"),),
}


@dataclass
class Operation:
    id: str
    method: str
    path: str
    summary: str
    description: str
    key_required: bool
    parameters: list[dict[str, Any]] = field(default_factory=list)
    body: list[Link] | None = None
    examples: list[tuple[str, str]] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    curls: list[tuple[str, str]] = field(default_factory=list)


def documentation(document: dict[str, Any]) -> dict[str, Any]:
    """What templates/api/docs.html shows."""
    base_url = request.host_url.rstrip("/")
    return {
        "info": document["info"],
        "base_url": base_url,
        "operations": operations(document, base_url),
        "schemas": schemas(document["components"]["schemas"]),
        "statuses": [
            {
                "status": status,
                "title": texts["title"][0],
                "detail": texts["detail"][0],
            }
            for status, texts in STATUSES.items()
        ],
    }


def operations(document: dict[str, Any], base_url: str) -> list[Operation]:
    components = document["components"]
    found = []
    for path, methods in document["paths"].items():
        for method, spec in methods.items():
            operation = Operation(
                id=f"operation-{spec['operationId']}",
                method=method.upper(),
                path=path,
                summary=spec["summary"],
                description=spec["description"],
                key_required={} not in spec["security"],
            )
            for reference in spec["parameters"]:
                parameter = resolve(components, reference)
                operation.parameters.append(
                    {
                        "name": parameter["name"],
                        "where": LOCATIONS[parameter["in"]],
                        "type": type_links(parameter["schema"]),
                        "description": parameter["description"],
                    }
                )
            content = spec.get("requestBody", {}).get("content", {})
            examples = {}
            if "application/json" in content:
                body = content["application/json"]
                operation.body = type_links(body["schema"])
                examples = body.get("examples", {})
                operation.examples = [
                    (example["summary"], json.dumps(example["value"], indent=2))
                    for example in examples.values()
                ]
            for status, reference in spec["responses"].items():
                response = resolve(components, reference)
                for media_type, media in response["content"].items():
                    operation.responses.append(
                        {
                            "status": status,
                            "description": response["description"],
                            "media_type": media_type,
                            "schema": type_links(media["schema"]),
                        }
                    )
            operation.curls = [
                (
                    curl.label,
                    curl_command(
                        curl, base_url + path, examples, operation.key_required
                    ),
                )
                for curl in CURLS.get(spec["operationId"], ())
            ]
            found.append(operation)
    return found


def resolve(components: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    reference = item.get("$ref")
    if reference is None:
        return item
    _, _, section, name = reference.split("/")
    return components[section][name]


def curl_command(
    curl: Curl, url: str, examples: dict[str, Any], key_required: bool
) -> str:
    parts = ["curl -s"]
    if curl.method != "get":
        parts.append(f"-X {curl.method.upper()}")
    parts.append(shlex.quote(url + curl.query))
    if key_required:  # double quotes: the shell expands $API_KEY
        parts.append('-H "Authorization: Bearer $API_KEY"')
    if curl.method == "post":
        parts.append("-H 'Content-Type: application/json'")
        if curl.file is not None:
            parts.append(f"-d {shlex.quote('@' + curl.file)}")
        elif curl.example is not None:
            value = examples[curl.example]["value"]
            compact = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            parts.append(f"-d {shlex.quote(compact)}")
    return " ".join(parts)


def schemas(components: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for name, schema in components.items():
        required = set(schema.get("required", ()))
        found.append(
            {
                "id": f"schema-{name}",
                "name": name,
                "description": schema.get("description", ""),
                "type": type_links(schema) if "properties" not in schema else None,
                "properties": [
                    {
                        "name": property_name,
                        "type": type_links(spec),
                        "required": property_name in required,
                        "description": spec.get("description", ""),
                    }
                    for property_name, spec in schema.get("properties", {}).items()
                ],
            }
        )
    return found


def type_links(schema: dict[str, Any]) -> list[Link]:
    """A schema in words, with links to the named schemas it uses."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return [(name, f"#schema-{name}")]
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            links: list[Link] = []
            for index, option in enumerate(schema[keyword]):
                if index:
                    links.append((" ou ", None))
                links += type_links(option)
            return links
    if "enum" in schema:
        values = ", ".join(json.dumps(value) for value in schema["enum"])
        return [(f"une valeur parmi : {values}", None)]
    if "const" in schema:
        return [(f"la valeur {json.dumps(schema['const'])}", None)]
    kind = schema.get("type")
    if kind == "array" and "items" in schema:
        return [("liste de ", None), *type_links(schema["items"]), *bounds(schema)]
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        values = type_links(schema["additionalProperties"])
        return [("objet : clé → ", None), *values]
    if kind is None:
        return [("toute valeur JSON", None)]
    text = TYPE_NAMES.get(kind, kind)
    if "format" in schema:
        text += f" ({schema['format']})"
    if "pattern" in schema:
        text += f", motif {schema['pattern']}"
    return [(text, None), *bounds(schema)]


def bounds(schema: dict[str, Any]) -> list[Link]:
    words = [
        template.format(schema[keyword])
        for keyword, template in BOUNDS
        if keyword in schema
    ]
    if "default" in schema:
        words.append(f"par défaut {json.dumps(schema['default'])}")
    return [(f", {', '.join(words)}", None)] if words else []
