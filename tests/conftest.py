"""Fixtures shared by the whole suite.

Tests of views run in-process with Django's Client/AsyncClient. Behaviour that only exists on a real
server (disconnects, concurrency, what runs on which thread) is tested against a LiveServer, which has
its own database: those tests do not need pytest-django's test database at all.
"""

import io

import pytest
from asgiref.sync import SyncToAsync
from django.core.management import call_command
from django.db import connections

from liveproject import LiveServer

TEST_PASSWORD = "test-password"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The real hasher takes ~0.3 s per password on purpose; tests log in many times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, closed properly before it is dropped.

    ORM calls awaited directly in an async test run on asgiref's shared worker thread and leave a
    connection open there; with PostgreSQL's pool, idle connections stay open too. Either would make
    DROP DATABASE fail ("being accessed by other users").
    """
    yield
    with django_db_blocker.unblock():
        SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=30)
        for connection in connections.all():
            if getattr(connection, "pool", None) is not None:
                connection.close_pool()


@pytest.fixture
def seeded(db):
    """The course's seed data: 60 articles (40 published), users editor (staff), reader, ada, grace, alan."""
    call_command("seed_articles", password=TEST_PASSWORD, stdout=io.StringIO())


@pytest.fixture
def editor(seeded, django_user_model):
    return django_user_model.objects.get(username="editor")


@pytest.fixture
def reader(seeded, django_user_model):
    return django_user_model.objects.get(username="reader")


@pytest.fixture(scope="module")
def uvicorn_server():
    """One uvicorn server per test module (each server has its own fresh database)."""
    with LiveServer("uvicorn") as server:
        yield server


@pytest.fixture(scope="session", autouse=True)
def no_server_left_behind():
    """After the whole run, no server started by this test process may still be alive."""
    import psutil

    yield
    me = psutil.Process()
    leftovers = [
        " ".join(child.cmdline()[:4])
        for child in me.children(recursive=True)
        if any(name in " ".join(child.cmdline()) for name in ("uvicorn", "gunicorn", "trivial_server"))
    ]
    assert leftovers == [], f"servers still running after the test session: {leftovers}"
