"""Database connections that belong to other threads: open one on a pool thread, count which are still open, and
close them from elsewhere.

Django keeps one connection per thread. Chapter 06 runs `sync_to_async(open_thread_connection,
thread_sensitive=False)` on the event loop's default executor, then shows that the connections those pool
threads opened are still open afterwards, and closes them itself:

    opened = await asyncio.gather(*(sync_to_async(open_thread_connection, thread_sensitive=False)() for _ in range(4)))
    await sync_to_async(count_still_open)(opened)       # 4
    await sync_to_async(close_from_here)(opened)
    await sync_to_async(count_still_open)(opened)       # 0

All three are sync code that uses the ORM's connections: call them through sync_to_async from a notebook cell.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper


@dataclass(frozen=True)
class ThreadConnection:
    """One thread's connection to a database, as that thread opened it."""

    thread: threading.Thread
    wrapper: BaseDatabaseWrapper  # that thread's DatabaseWrapper (for that alias, "default" unless asked otherwise)
    backend_pid: int | None  # PostgreSQL's server process for it (None on SQLite)


def open_thread_connection(hold: float = 0.05, *, alias: str = "default") -> ThreadConnection:
    """Open the calling thread's connection to the database `alias` and report it. `hold` keeps the call busy for
    a moment, so that calls made together each get a thread of their own."""
    from django.db import connections

    wrapper = connections[alias]
    wrapper.ensure_connection()
    backend_pid = None
    if wrapper.vendor == "postgresql":
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend_pid = cursor.fetchone()[0]
    time.sleep(hold)
    return ThreadConnection(threading.current_thread(), wrapper, backend_pid)


def count_still_open(opened: list[ThreadConnection]) -> int:
    """How many of these connections the database still has open.

    PostgreSQL: their server processes still listed in pg_stat_activity for this database. SQLite (no server):
    the connection objects still answer a query.
    """
    from django.db import connections

    if any(item.backend_pid is not None for item in opened):
        with connections[opened[0].wrapper.alias].cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid = ANY(%s)",
                [[item.backend_pid for item in opened]],
            )
            return cursor.fetchone()[0]
    still_open = 0
    for item in opened:
        raw = item.wrapper.connection
        if raw is None:  # Django closed it
            continue
        with contextlib.suppress(sqlite3.ProgrammingError):  # "Cannot operate on a closed database."
            raw.execute("SELECT 1")  # Django opens SQLite with check_same_thread=False: any thread may ask
            still_open += 1
    return still_open


def close_from_here(opened: list[ThreadConnection], *, timeout: float = 5.0) -> None:
    """Close connections that other threads opened. Django refuses to touch a connection from a thread other than
    its own unless it is marked as shared, so each is shared for the moment it takes to close it.

    Returns once the database has let go of them: a PostgreSQL server process exits a moment after its client
    closes the connection, so this waits (up to `timeout` seconds) until pg_stat_activity no longer lists them.
    """
    for item in opened:
        item.wrapper.inc_thread_sharing()
        try:
            item.wrapper.close()
        finally:
            item.wrapper.dec_thread_sharing()
    deadline = time.monotonic() + timeout
    while count_still_open(opened) and time.monotonic() < deadline:
        time.sleep(0.01)
