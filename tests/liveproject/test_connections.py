"""liveproject.connections: connections that pool threads opened stay open until something closes them.

The tests use a database alias of their own, outside pytest-django's test database: on SQLite a file (Django never
really closes an in-memory database), on PostgreSQL the server's `postgres` database without a pool (a pool keeps
closed connections open for reuse; the notebook kernel has none either, see kernel_settings.py). Nothing is written.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from liveproject.connections import close_from_here, count_still_open, open_thread_connection

ALIAS = "pool_threads"


@pytest.fixture
def alias(tmp_path, django_db_blocker):
    base = connections.settings["default"]
    if base["ENGINE"] == "django.db.backends.sqlite3":
        entry = {"ENGINE": base["ENGINE"], "NAME": str(tmp_path / "pool-threads.sqlite3")}
    else:
        options = {key: value for key, value in base.get("OPTIONS", {}).items() if key != "pool"}
        entry = {**base, "NAME": "postgres", "OPTIONS": options, "TEST": {}}
    connections.settings[ALIAS] = connections.configure_settings({"default": dict(base), ALIAS: entry})[ALIAS]
    with django_db_blocker.unblock():  # for every thread: pytest-django blocks database access by default
        yield ALIAS
        connections[ALIAS].close()
    del connections[ALIAS]
    del connections.settings[ALIAS]


def open_on(pool, n, alias):
    return list(pool.map(lambda _: open_thread_connection(hold=0.05, alias=alias), range(n)))


def test_connections_opened_on_pool_threads_stay_open_until_closed_from_another_thread(alias):
    with ThreadPoolExecutor(max_workers=3) as pool:
        opened = open_on(pool, 3, alias)
        assert len({item.thread for item in opened}) == 3  # the hold made each call take a thread of its own
        assert all(item.thread.is_alive() for item in opened)
        assert count_still_open(opened) == 3
        close_from_here(opened)
        assert count_still_open(opened) == 0
        assert all(item.wrapper.connection is None for item in opened)


def test_a_connection_closed_by_its_own_thread_is_no_longer_counted(alias):
    with ThreadPoolExecutor(max_workers=2) as pool:
        opened = open_on(pool, 2, alias)
        opened[0].wrapper.inc_thread_sharing()
        try:
            opened[0].wrapper.close()
        finally:
            opened[0].wrapper.dec_thread_sharing()
        if opened[0].backend_pid is None:  # SQLite: nothing to wait for
            assert count_still_open(opened) == 1
        close_from_here(opened)  # closing one twice is harmless
        assert count_still_open(opened) == 0
