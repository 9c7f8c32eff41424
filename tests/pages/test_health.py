"""pages/views/health.py in-process: liveness never touches the database; readiness answers 503 with the reason when
the database fails or is too slow, within its deadline."""

import json
import time

import pytest
from django.db import OperationalError
from django.test import AsyncClient, RequestFactory

from pages.views import health


@pytest.fixture
def aclient():
    return AsyncClient()


async def test_liveness_answers_without_the_database(aclient):
    response = await aclient.get("/health/live/")  # no django_db mark: a query would fail the test
    assert (response.status_code, response.json()) == (200, {"status": "alive"})


@pytest.mark.django_db
async def test_readiness_asks_the_database(aclient):
    response = await aclient.get("/health/ready/")
    assert (response.status_code, response.json()) == (200, {"status": "ready", "database": "answered"})


async def test_readiness_is_503_with_the_reason_when_the_database_refuses(aclient, monkeypatch):
    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "database_answers", refuse)
    response = await aclient.get("/health/ready/")
    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "database": "the database refused: OperationalError"}


async def test_readiness_gives_up_at_its_deadline(monkeypatch):
    monkeypatch.setattr(health, "READY_DEADLINE", 0.1)
    monkeypatch.setattr(health, "database_answers", lambda: time.sleep(0.5))
    started = time.perf_counter()
    # The view itself, called directly: through a client, Django's handler waits for the request's sync thread
    # before it returns, which a real server does only after it has sent the answer (chapter 09b measures that).
    response = await health.async_readiness(RequestFactory().get("/health/ready/"))
    assert time.perf_counter() - started < 0.45  # answered at the deadline, not when the query would have ended
    assert response.status_code == 503
    assert json.loads(response.content) == {
        "status": "not ready",
        "database": "the database did not answer within 0.1 s",
    }


async def test_probes_refuse_other_methods_with_a_message(aclient):
    response = await aclient.post("/health/ready/")
    assert response.status_code == 405
    assert response.json()["allowed"] == ["GET"]
