"""PgBouncer in front of PostgreSQL: a server goes through it, it shares few server connections among many clients,
it is stopped with its folder when its block ends however it ends, and a machine without it is told how to get it."""

import os
import socket

import psutil
import pytest

from liveproject import LiveServer, burst, databases
from liveproject import bouncer as bouncer_module
from liveproject.bouncer import INSTALL_HINT, PgBouncer, PgBouncerMissing, pgbouncer_path
from liveproject.load import peak_during

pytestmark = pytest.mark.live  # every test here starts a process

on_postgresql = pytest.mark.skipif(
    databases.backend() != "postgresql", reason="PgBouncer stands in front of PostgreSQL (the PostgreSQL track)"
)
needs_pgbouncer = pytest.mark.skipif(
    pgbouncer_path() is None and not os.environ.get("COURSE_CI_RUN"),  # in CI the test runs, and fails without it
    reason=f"no pgbouncer here: {INSTALL_HINT}",
)


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


@on_postgresql
@needs_pgbouncer
def test_a_server_goes_through_the_bouncer_which_shares_its_few_connections_and_leaves_nothing_behind():
    with PgBouncer(pool_size=2) as bouncer, LiveServer("uvicorn", database=bouncer.database_settings()) as server:
        assert "pool_mode = transaction" in (bouncer._folder / "pgbouncer.ini").read_text()
        pid, folder, port = bouncer._process.pid, bouncer._folder, bouncer.port
        batch, most = peak_during(
            lambda: bouncer.server_connections(server),
            lambda: burst(server, "/db/gather/?n=1&seconds=0.1&mode=sequential", 8),
        )
        assert dict(batch.statuses) == {200: 8}
        assert most == 2  # eight clients, two PostgreSQL connections
        assert batch.wall >= 0.39  # four rounds of 0.1 s: the other six waited in the bouncer
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert not folder.exists()
    assert port_is_free(port)
    assert repr(bouncer) == "<PgBouncer transaction mode, pool of 2 stopped>"


@on_postgresql
@needs_pgbouncer
def test_the_bouncer_is_stopped_when_its_block_fails():
    seen = []

    def fail_inside_the_block():
        with PgBouncer() as bouncer:
            seen.append((bouncer._process.pid, bouncer._folder))
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        fail_inside_the_block()
    [(pid, folder)] = seen
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert not folder.exists()


def test_without_postgresql_or_without_pgbouncer_start_says_what_is_missing(monkeypatch):
    monkeypatch.setattr(databases, "backend", lambda: "sqlite")
    with pytest.raises(RuntimeError, match="PgBouncer stands in front of PostgreSQL: set DATABASE_URL"):
        PgBouncer().start()
    monkeypatch.setattr(databases, "backend", lambda: "postgresql")
    monkeypatch.setattr(bouncer_module, "pgbouncer_path", lambda: None)
    with pytest.raises(PgBouncerMissing, match="apt-get install pgbouncer"):
        PgBouncer().start()
