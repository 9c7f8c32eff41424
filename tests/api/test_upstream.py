"""GET /api/<layer>/upstream/?delays=...: one call to the slow upstream per delay, the same JSON from each layer.
In-process here (the upstream's URL is a setting); tests/api/test_upstream_live.py runs them under uvicorn."""

import socket

import pytest
from django.test import Client

from tests.api.test_articles_api import LAYERS

WITH_PLAIN_DJANGO = {**LAYERS, "django": "/api/django"}  # the same call without a framework


@pytest.fixture(params=WITH_PLAIN_DJANGO)
def upstream(request):
    return f"{WITH_PLAIN_DJANGO[request.param]}/upstream/"


@pytest.mark.parametrize(("query", "message"), [
    ("?delays=3", "each of delays must be between 0 and 2, not 3"),
    ("?delays=0,0,0,0,0,0", "delays has 6 items; at most 5 are allowed"),
    ("?delays=soon", "delays must be comma-separated numbers, not 'soon'"),
])  # fmt: skip
def test_bad_delays_are_a_400_from_every_layer(upstream, query, message):
    response = Client().get(upstream + query)
    assert (response.status_code, response.json()) == (400, {"error": message})


def test_an_upstream_that_refuses_is_a_502_from_every_layer(upstream, settings):
    refusing = socket.socket()  # bound, never listening: a connection to it is refused
    refusing.bind(("127.0.0.1", 0))
    try:
        settings.UPSTREAM_URL = f"http://127.0.0.1:{refusing.getsockname()[1]}/upstream/"
        response = Client().get(upstream + "?delays=0,0")
    finally:
        refusing.close()
    assert (response.status_code, response.json()) == (502, {"error": "the upstream failed: ConnectError"})
