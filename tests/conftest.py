"""Fixtures shared by the whole suite.

Tests of views run in-process with Django's Client/AsyncClient. Behaviour that only exists on a real
server (disconnects, concurrency, what runs on which thread) is tested against a LiveServer, which has
its own database: those tests do not need pytest-django's test database at all.

Two kinds of test, two sessions: a test that starts a server or any other process is marked `live`
(`nox -s live`); every other test runs in this process (`nox -s fast`, the minute-long loop). A test that uses
a server fixture (LIVE_FIXTURES) is marked for you; one that starts a process itself says so with
`pytestmark = pytest.mark.live` or `@pytest.mark.live`, and an unmarked test that tries is stopped with the reason.
"""

import io
import os
import secrets
import socket
import subprocess
import sys
import time
import types
from urllib.parse import urlsplit

import pytest
from asgiref.sync import SyncToAsync
from django.core.management import call_command
from django.db import connections

from labs.loading import import_file
from liveproject import LiveServer
from liveproject.databases import PROJECT_ROOT


def soon(condition, timeout: float = 5.0) -> bool:
    """Whether `condition()` becomes true within `timeout` seconds (what another process or thread does next)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


TEST_PASSWORD = "test-password"


LIVE_FIXTURES = {"uvicorn_server", "trivial"}  # fixtures that start a server for a module's tests


def pytest_collection_modifyitems(items):
    for item in items:
        if LIVE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.live)


@pytest.fixture(autouse=True)
def in_process_unless_marked_live(request, monkeypatch):
    """Keep `nox -s fast` honest: an unmarked test that starts a process fails, saying how to mark it."""
    if request.node.get_closest_marker("live"):
        return

    def refuse(*args, **kwargs):
        raise RuntimeError(f"{request.node.nodeid} starts a process: mark it @pytest.mark.live (tests/conftest.py)")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)


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


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The local Redis (REDIS_URL, or 127.0.0.1:6379). Without it a test that needs it is skipped on a laptop, and
    fails in CI (.ci/run sets COURSE_CI_RUN), where Redis runs."""
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    address = urlsplit(url)
    try:
        socket.create_connection((address.hostname, address.port or 6379), timeout=2).close()
    except OSError:
        if os.environ.get("COURSE_CI_RUN"):
            pytest.fail(f"Redis is not reachable at {url}, and CI needs it")
        pytest.skip(f"Redis is not reachable at {url} (start redis-server, or set REDIS_URL)")
    return url


@pytest.fixture
def redis_prefix() -> str:
    """Key and channel names of this test's own, so that runs sharing one Redis never see each other's."""
    return f"test-{secrets.token_hex(6)}"


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
        if any(
            name in " ".join(child.cmdline())
            for name in ("uvicorn", "gunicorn", "daphne", "hypercorn", "trivial_server", "nginx", "db_worker")
        )
    ]
    assert leftovers == [], f"servers still running after the test session: {leftovers}"


class FakeSession:
    """What the noxfile's `lab` session asks of nox: its arguments, installing, running, giving up."""

    def __init__(self, *posargs, location="/nonexistent/venv"):
        self.posargs = list(posargs)
        self.runs = []
        self.installs = []
        self.virtualenv = types.SimpleNamespace(location=str(location))

    def install(self, *args, **kwargs):
        self.installs.append(args)

    def run_install(self, *args, **kwargs):
        self.installs.append(args)

    def log(self, message):
        pass

    def run(self, *args, env=None, **kwargs):
        if args[:3] == ("python", "-m", "labs"):  # not the installation's own commands
            self.runs.append((args, env))

    def error(self, message):
        raise SystemExit(message)


@pytest.fixture
def noxfile(monkeypatch):
    """The course's noxfile, imported with a stand-in for nox (the test environment does not install nox)."""
    fake_nox = types.ModuleType("nox")
    fake_nox.options = types.SimpleNamespace()
    fake_nox.Session = FakeSession
    fake_nox.session = lambda function=None, **kwargs: function if function else (lambda f: f)
    monkeypatch.setitem(sys.modules, "nox", fake_nox)
    return import_file("course_noxfile", PROJECT_ROOT / "noxfile.py")
