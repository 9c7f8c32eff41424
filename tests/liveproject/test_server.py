"""LiveServer: every kind starts and answers, variants apply, and nothing is ever left running."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import psutil
import pytest

from liveproject import KINDS, LiveServer, ServerFailedToStart, databases, start_together

pytestmark = pytest.mark.live  # every test here starts a server or another process

ROOT = Path(__file__).resolve().parents[2]


def _running(pid) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:  # gone, also between a pid_exists() and a Process() (a race CI met)
        return False


def all_dead(pids, timeout=10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if _running(pid)]
        if not alive:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_starts_answers_and_stops_completely(kind, capfd):
    server = LiveServer(kind, workers=2).start()
    try:
        assert server.running
        assert server.startup_seconds < 15  # readiness is polled; ~0.5 s is typical (measured in chapter 00)
        path = "/" if kind == "trivial" else "/where/async/"
        response = server.client.get(path)
        assert response.status_code == 200
        if kind != "trivial":
            assert response.json()["interface"] == server.interface
        pids = server.worker_pids()
        if kind in ("uvicorn", "daphne", "trivial", "runserver"):
            assert len(pids) == 1
        elif kind == "hypercorn":  # master, 2 workers, and multiprocessing's helper process
            assert len(pids) >= 3
        else:
            assert len(pids) == 3  # gunicorn: master + 2 workers
        assert str(server.url.rsplit(":", 1)[1]) not in repr(server)
    finally:
        server.stop()
    assert all_dead(pids)
    assert not server.running
    assert server.worker_pids() == []
    out, err = capfd.readouterr()
    assert "uvicorn" not in out + err.lower()
    assert "gunicorn" not in (out + err).lower()


def test_stop_is_idempotent_and_the_log_outlives_the_server():
    server = LiveServer("uvicorn").start()
    server.client.get("/ping/async/", headers={"X-Request-Id": "kept-1"})
    server.stop()
    server.stop()
    assert server.wait_for_log("GET /ping/async/ 200")
    assert server.log_lines("id=kept-1")


def test_an_exception_inside_the_with_block_still_stops_everything():
    pids = []

    def fail_while_serving():
        with LiveServer("gunicorn-uvicorn", workers=2) as server:
            pids.extend(server.worker_pids())
            raise ZeroDivisionError("the cell failed")

    with pytest.raises(ZeroDivisionError, match="the cell failed"):
        fail_while_serving()
    assert len(pids) == 3
    assert all_dead(pids)


CHILD_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    from liveproject import LiveServer
    server = LiveServer(sys.argv[1], workers=2).start()
    print(json.dumps({"pids": server.worker_pids(), "database": server.database.name}), flush=True)
    if sys.argv[2] == "exit":
        sys.exit(0)  # a normal exit with the server still running: atexit must stop it
    time.sleep(120)  # wait to be killed
    """
)


def run_child(kind: str, mode: str, **popen_kwargs) -> tuple[subprocess.Popen, dict]:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD_SCRIPT, kind, mode], cwd=ROOT, stdout=subprocess.PIPE, text=True, **popen_kwargs
    )
    line = child.stdout.readline()
    assert line, "the child process did not start its server"
    return child, json.loads(line)


@pytest.mark.parametrize("kind", ["uvicorn", "gunicorn-uvicorn"])
def test_a_normal_interpreter_exit_stops_the_server(kind):
    child, info = run_child(kind, "exit")
    assert child.wait(timeout=60) == 0
    assert all_dead(info["pids"])
    assert_database_dropped(info["database"])


@pytest.mark.parametrize("kind", ["uvicorn", "gunicorn-gthread"])
def test_sigkill_of_the_parent_alone_still_stops_server_and_workers(kind):
    # Its own session, so killing the parent does not reach the server through the process group:
    # only PR_SET_PDEATHSIG (set on the server and on gunicorn's workers) can stop it.
    child, info = run_child(kind, "wait", start_new_session=True)
    child.kill()
    child.wait(timeout=10)
    assert all_dead(info["pids"])


def test_sigkill_of_the_whole_process_group_stops_everything():
    # What nbval and jupyter_client do to a kernel: SIGKILL to its process group. atexit never runs.
    child, info = run_child("gunicorn-uvicorn", "wait", start_new_session=True)
    os.killpg(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    assert all_dead(info["pids"])


def assert_database_dropped(name):
    if databases.backend() == "postgresql":
        with databases.maintenance_connection() as conn:
            assert conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None
    else:
        assert not Path(name).exists()


def test_every_server_has_its_own_fresh_database():
    with LiveServer("uvicorn") as first, LiveServer("uvicorn") as second:
        assert first.database_url != second.database_url
        first.login("editor").post("/articles/async/article-41/publish/").raise_for_status()
        assert first.client.get("/articles/async/article-41/").json()["status"] == "published"
        assert second.client.get("/articles/async/article-41/").json()["status"] == "draft"
        names = [first.database.name, second.database.name]
    for name in names:
        assert_database_dropped(name)


def test_an_extra_sync_only_middleware_runs_on_a_worker_thread_under_asgi():
    with LiveServer("uvicorn", extra_middleware=["config.middleware.SyncOnlyMiddleware"]) as server:
        thread = server.client.get("/ping/async/").headers["X-Sync-Only-Thread"]
    assert thread != "MainThread"
    assert 'MIDDLEWARE = MIDDLEWARE + ["config.middleware.SyncOnlyMiddleware"]' in server.settings_source.replace(
        "'", '"'
    )


def test_debug_logging_of_django_request_shows_the_adaptation():
    with LiveServer(
        "uvicorn",
        debug=True,
        loggers={"django.request": "DEBUG"},
        extra_middleware=["config.middleware.SyncOnlyMiddleware"],
    ) as server:
        server.client.get("/ping/async/")
        line = server.wait_for_log("adapted for middleware")
    assert (
        line == "DEBUG django.request Asynchronous handler adapted for middleware config.middleware.SyncOnlyMiddleware."
    )


def test_atomic_requests_breaks_async_views_but_not_sync_views():
    with LiveServer("uvicorn", atomic_requests=True) as server:
        assert server.client.get("/ping/sync/").status_code == 200
        assert server.client.get("/ping/async/").status_code == 500
        server.wait_for_log("You cannot use ATOMIC_REQUESTS with async views.")


def test_settings_overrides_are_written_as_python():
    server = LiveServer("uvicorn", settings={"UPSTREAM_URL": "http://example.invalid/"})
    assert "UPSTREAM_URL = 'http://example.invalid/'" in server.settings_source
    with pytest.raises(ValueError, match="UPPER_CASE"):
        LiveServer("uvicorn", settings={"lower": 1})
    with pytest.raises(ValueError, match="kind must be one of"):
        LiveServer("tornado")


@pytest.mark.parametrize(
    ("kind", "option"),
    [
        ("uvicorn", "--timeout-graceful-shutdown"),
        ("gunicorn-uvicorn", "--graceful-timeout"),
        ("gunicorn-asgi", "--graceful-timeout"),
        ("granian", "--workers-kill-timeout"),
        ("hypercorn", "--graceful-timeout"),
    ],
)
def test_grace_sets_each_servers_own_option_and_none_leaves_the_servers_default(kind, option):
    from liveproject.server import SERVER_KINDS

    def command(**options):
        return SERVER_KINDS[kind].command(LiveServer(kind, **options), 3, 8000)  # nothing is started

    assert command()[command().index(option) + 1] == "2"
    assert command(grace=7)[command(grace=7).index(option) + 1] == "7"
    assert option not in command(grace=None)


def test_a_server_that_cannot_start_says_why_and_leaves_nothing_behind():
    server = LiveServer("uvicorn", settings={"INSTALLED_APPS": ["no_such_app"]}, ready_timeout=20)
    with pytest.raises(ServerFailedToStart, match="No module named 'no_such_app'"):
        server.start()
    assert not server.running
    assert server.database is None


def test_start_together_starts_every_server_or_stops_them_all():
    servers = start_together([LiveServer("uvicorn"), LiveServer("granian")])
    try:
        assert [server.client.get("/where/async/").headers["server"] for server in servers] == ["uvicorn", "granian"]
        assert all(server.startup_seconds is not None for server in servers)
    finally:
        for server in servers:
            server.stop()
    healthy, broken = LiveServer("uvicorn"), LiveServer("uvicorn", settings={"INSTALLED_APPS": ["no_such_app"]})
    with pytest.raises(ServerFailedToStart, match="No module named 'no_such_app'"):
        start_together([healthy, broken])
    assert not healthy.running
    assert not broken.running


def test_wait_for_log_gives_up_with_a_clear_error(uvicorn_server):
    with pytest.raises(TimeoutError, match="no line containing 'never logged'"):
        uvicorn_server.wait_for_log("never logged", timeout=0.2)


def test_login_helpers_authenticate_and_refuse_wrong_passwords(uvicorn_server):
    client = uvicorn_server.login("reader")
    assert client.get("/auth/whoami/").json() == {"authenticated": True, "username": "reader"}
    with pytest.raises(RuntimeError, match="login as 'reader' failed: 401"):
        uvicorn_server.login_headers("reader", "wrong")


def test_sigterm_lets_an_in_flight_request_finish_and_the_server_exit():
    import threading

    with LiveServer("uvicorn") as server:
        answers = []
        caller = threading.Thread(target=lambda: answers.append(server.client.get("/wait/async/?seconds=0.6")))
        caller.start()
        server.wait_for_log("GET /ping/async/")  # the readiness probe; the wait request is in flight now
        time.sleep(0.2)
        server.send_signal(signal.SIGTERM)
        assert server.wait_for_exit(10) < 5
        caller.join(10)
        assert answers
        assert answers[0].status_code == 200
        assert not server.running


def test_runserver_and_hypercorn_kinds_serve_the_project():
    with LiveServer("runserver") as runserver, LiveServer("hypercorn") as hypercorn:
        assert runserver.client.get("/where/async/").json()["interface"] == "WSGI"
        assert hypercorn.client.get("/where/async/").json()["interface"] == "ASGI"
        assert hypercorn.client.get("/where/async/").headers["server"].startswith("hypercorn")


def test_database_changes_are_written_into_the_settings():
    server = LiveServer("uvicorn", database={"CONN_MAX_AGE": 60, "OPTIONS": {}})
    assert "DATABASES[\"default\"].update({'CONN_MAX_AGE': 60, 'OPTIONS': {}})" in server.settings_source


def test_database_connections_counts_what_postgresql_holds_for_this_server():
    from liveproject.databases import backend

    with LiveServer("uvicorn") as server:
        server.client.get("/articles/async/slugs/")
        held = server.database_connections()
    if backend() == "postgresql":
        assert 1 <= held <= 8  # the project's pool: min_size 1, max_size 8
    else:
        assert held is None


def test_requests_on_a_kept_alive_connection_are_not_held_back_by_nagle(uvicorn_server):
    # Without TCP_NODELAY on the listener, each request on a reused connection waited ~40 ms for the client's
    # delayed ACK (uvicorn treats a socket handed over with --fd as a Unix socket and never sets it itself).
    import statistics

    with httpx.Client(base_url=uvicorn_server.url, timeout=10) as client:
        client.get("/ping/async/")  # open the connection
        durations = []
        for _ in range(15):
            started = time.perf_counter()
            client.get("/ping/async/")
            durations.append(time.perf_counter() - started)
    assert statistics.median(durations) < 0.035, durations


@pytest.mark.parametrize("kind", ["gunicorn-sync", "gunicorn-uvicorn"])
def test_every_gunicorn_worker_has_loaded_the_urlconf_before_start_returns(kind):
    """The readiness probe reaches one worker; post_worker_init (liveproject/gunicorn_conf.py) warms them all, and
    start() waits for each one's mark, so that a first burst is shared by every worker. A restart warms anew."""
    with LiveServer(kind, workers=2) as server:
        marked = {int(mark.stem.removeprefix("worker-")) for mark in server._folder.glob("worker-*.ready")}
        assert marked == set(server.worker_pids()[1:])  # the master's children: the two workers
        server.restart()
        marked = {int(mark.stem.removeprefix("worker-")) for mark in server._folder.glob("worker-*.ready")}
        assert marked == set(server.worker_pids()[1:])
