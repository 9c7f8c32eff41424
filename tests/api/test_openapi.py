"""Each layer's OpenAPI schema describes what the API really answers: for every route and status the tests of
test_articles_api.py produce, the schema names the status and the same JSON keys as a real response.

DRF and adrf: drf-spectacular, served at /api/schema/ (api/schema.py supplies what it cannot guess). django-ninja:
its own /api/ninja/openapi.json, written from the endpoints' type hints.
"""

import pytest
from django.test import Client

from tests.api.test_articles_api import LAYERS, client_for, make_the_database_busy, post_with_token

pytestmark = pytest.mark.django_db

# Every status each route answers in the shared tests, and a request that gets it.
ANSWERS = {
    ("get", "/articles/"): {200: "/articles/", 400: "/articles/?page=0"},
    ("get", "/articles/{slug}/"): {200: "/articles/article-07/", 404: "/articles/nope/"},
    ("post", "/articles/{slug}/publish/"): {  # who posts, and which article
        200: ("editor", "article-41"),
        401: (None, "article-41"),
        403: ("reader", "article-41"),
        404: ("editor", "nope"),
        409: ("editor", "article-01"),
        503: ("editor", "article-42"),  # with the database made busy
    },
}


def schema_of(layer: str) -> dict:
    url = "/api/ninja/openapi.json" if layer == "ninja" else "/api/schema/?format=json"
    response = Client().get(url)
    assert response.status_code == 200
    return response.json()


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def documented_keys(schema: dict, operation: dict, status: int) -> set[str]:
    content = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    return set(resolve(schema, content)["properties"])


def real_response(layer: str, method: str, status: int, how, monkeypatch):
    prefix = LAYERS[layer]
    if method == "get":
        return Client().get(prefix + how)
    who, slug = how
    with monkeypatch.context() as patched:
        if status == 503:
            make_the_database_busy(patched)
        return post_with_token(client_for(who, csrf=True), f"{prefix}/articles/{slug}/publish/")


@pytest.mark.parametrize("layer", LAYERS)
def test_the_schema_lists_each_route_with_every_status_it_answers(layer):
    schema = schema_of(layer)
    prefix = LAYERS[layer]
    for (method, path), answers in ANSWERS.items():
        operation = schema["paths"][prefix + path][method]
        assert {int(code) for code in operation["responses"]} == set(answers), (layer, path)


@pytest.mark.parametrize("layer", LAYERS)
def test_documented_keys_are_the_keys_of_real_responses(seeded, layer, monkeypatch):
    schema = schema_of(layer)
    for (method, path), answers in ANSWERS.items():
        operation = schema["paths"][LAYERS[layer] + path][method]
        for status, how in answers.items():
            response = real_response(layer, method, status, how, monkeypatch)
            assert response.status_code == status, (layer, path, status)
            assert documented_keys(schema, operation, status) == set(response.json()), (layer, path, status)


def test_the_page_parameter_is_documented_by_each_layer():
    for layer, prefix in LAYERS.items():
        parameters = schema_of(layer)["paths"][f"{prefix}/articles/"]["get"]["parameters"]
        assert [(p["name"], p["in"], p["schema"]["type"]) for p in parameters] == [("page", "query", "integer")]


def test_the_schema_leaves_out_the_labs_drf_views():
    """Lab 09's starter is a DRF API under /labs/: a student's work, not the project's API (and drf-spectacular's
    deploy check would warn about its views, failing `check --deploy --fail-level WARNING`)."""
    paths = schema_of("drf")["paths"]
    assert paths
    assert all(path.startswith("/api/") for path in paths)
