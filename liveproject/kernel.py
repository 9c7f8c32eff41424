"""Django inside the notebook's own process, pointed at a running LiveServer's database.

    server = LiveServer("uvicorn").start()
    use_django(server)
    from articles.models import Article
    await Article.objects.acount()        # top-level await works in Jupyter cells

Jupyter runs every cell while an event loop is running in the kernel's main thread, so Django treats a
cell as async code: a sync ORM call such as `Article.objects.count()` raises SynchronousOnlyOperation
there, exactly as it would inside an async view. Use the async ORM (`acount()`, `async for`), or put sync
code in a function and `await sync_to_async(fn)()`. (DJANGO_ALLOW_ASYNC_UNSAFE switches the check off;
the course sets it only once, in chapter 04, to show that it blocks the event loop rather than fixing anything.)
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TYPE_CHECKING

from liveproject import databases

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from concurrent.futures import ThreadPoolExecutor
    from typing import Any

    from asgiref.sync import AsyncToSync, SyncToAsync
    from django.db.models import QuerySet

    from liveproject.server import LiveServer

_attached_to: LiveServer | None = None


def use_django(server: LiveServer | None = None) -> None:
    """Set up Django in this process; with `server`, use that server's database.

    Call it again with another server to switch databases (the old connection is closed first).
    """
    global _attached_to
    root = str(databases.PROJECT_ROOT)
    if root not in sys.path:
        sys.path.insert(0, root)
    import django
    from django.conf import settings

    if not settings.configured:
        os.environ["DJANGO_SETTINGS_MODULE"] = "liveproject.kernel_settings"
        if server is not None:
            # a running server: it has a database
            os.environ["DATABASE_URL"] = server.database_url  # type: ignore[assignment]
        django.setup()
    elif server is not None:
        _close_kernel_connections()
        _point_default_database_at(server.database_url)  # type: ignore[arg-type]  # a running server: it has a database
    _attached_to = server


def forget_server(server: LiveServer | None) -> None:
    """Called when `server` stops: close our connection before its database is dropped."""
    global _attached_to
    if server is not None and server is _attached_to:
        _close_kernel_connections()
        _attached_to = None


def _point_default_database_at(url: str) -> None:
    import dj_database_url
    from django.db import connections

    settings_dict = connections["default"].settings_dict
    settings_dict.update({key: value for key, value in dj_database_url.parse(url).items() if key != "OPTIONS"})


def _close_kernel_connections() -> None:
    """Close Django's connections on every thread that the kernel's ORM calls use.

    Outside a request, `await Model.objects.acount()` runs on asgiref's single shared worker thread, so
    that thread owns the connection; a sync call would own one on the calling thread.
    """
    from asgiref.sync import SyncToAsync
    from django.db import connections

    try:
        SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=10)
    except RuntimeError:  # the interpreter is exiting (atexit): executors take no new work, and
        return  # the process is about to close every connection anyway
    if not _loop_running():  # inside a cell, closing on this thread would itself be "async unsafe"
        connections.close_all()


def _loop_running() -> bool:
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def slow_query(seconds: float) -> QuerySet:
    """A queryset of one row whose evaluation waits `seconds` inside the database, like a slow query:
    `await slow_query(0.1).afirst()` takes about 0.1 s, spent in the database driver, not in Python.

    The project's own (pages/views/database.py: slow_query, which the server's views use too); on SQLite, pages/apps.py
    gives every connection, the kernel's included, the pg_sleep() function it needs.
    """
    from pages.views.database import slow_query as project_slow_query

    return project_slow_query(seconds)


@contextlib.contextmanager
def counting_crossings() -> Iterator[list[str]]:
    """Count the crossings between async and sync code made while the block runs.

        with counting_crossings() as crossings:
            rows = [row async for row in Article.objects.published()]
        len(crossings)   # 1: async for fetches the whole result in one trip to a worker thread

    Yields a list that receives, in order, the name of each function that async code handed to a thread with
    sync_to_async (every async ORM method does) and of each coroutine that sync code waited for with
    async_to_sync. Chapter 04 counts the hops of ORM calls with it, chapter 05 (through count_thread_hops) those
    of a request, and exercise 04.3's check those of the student's function. It patches asgiref for the whole
    process, so nothing else should run concurrently while it counts.
    """
    from unittest import mock

    from asgiref.sync import AsyncToSync, SyncToAsync

    crossings: list[str] = []
    to_thread, from_thread = SyncToAsync.__call__, AsyncToSync.__call__

    async def counting_to_thread(self: SyncToAsync, *args: Any, **kwargs: Any) -> Any:
        crossings.append(_name_of(self.func))
        return await to_thread(self, *args, **kwargs)

    def counting_from_thread(self: AsyncToSync, *args: Any, **kwargs: Any) -> Any:
        crossings.append(_name_of(self.awaitable))
        return from_thread(self, *args, **kwargs)

    with (
        mock.patch.object(SyncToAsync, "__call__", counting_to_thread),
        mock.patch.object(AsyncToSync, "__call__", counting_from_thread),
    ):
        yield crossings


def _name_of(function: object) -> str:
    # Never repr(): the repr of a bound QuerySet method would evaluate the queryset (a query of its own).
    return getattr(function, "__qualname__", None) or type(function).__qualname__


async def count_thread_hops(
    path: str = "/ping/async/",
    *,
    middleware: list[str] | None = None,
    method: str = "GET",
    headers: dict[str, str] | None = None,
) -> tuple[int, list[str]]:
    """Serve `method` `path` once (no body; `headers`, such as a session's Cookie and X-CSRFToken, if given) through
    Django's real ASGIHandler, in this process, and list every crossing between async and sync code on the way:
    (status, names of the functions that crossed).

    Both directions count: sync_to_async (async code handing sync code to a thread) and async_to_sync (sync code
    waiting for a coroutine). `middleware` replaces settings.MIDDLEWARE for this one request. Lab 09's checks
    count the crossings of a view with it: a sync view shows up as one, by its name.
    """
    import asyncio

    from django.core.handlers.asgi import ASGIHandler
    from django.test import override_settings

    sent_headers = [(b"host", b"127.0.0.1")]
    sent_headers += [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]
    scope = {
        "type": "http", "method": method, "path": path, "query_string": b"", "headers": sent_headers,
        "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1),
    }  # fmt: skip
    incoming = [{"type": "http.request", "body": b"", "more_body": False}]
    sent: list[dict] = []

    async def receive():
        if incoming:
            return incoming.pop()
        await asyncio.Event().wait()  # a client that stays connected

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    overrides = {} if middleware is None else {"MIDDLEWARE": middleware}
    with override_settings(**overrides):
        handler = ASGIHandler()  # builds the middleware chain from the settings in force
        with counting_crossings() as crossings:
            await handler(scope, receive, send)
    return sent[0]["status"], crossings


async def connections_left_open(server: LiveServer, function: Callable[[], object], concurrent: int) -> tuple[int, str]:
    """Call the sync `function` `concurrent` times at once through sync_to_async(thread_sensitive=False), on a
    pool of as many threads, and count the database connections still open once every call has returned.
    Then close them (close_pool_connections) and return (the count, how it was counted).

    PostgreSQL: how many of the backends (server processes, one per connection) that served the pool's threads
    pg_stat_activity still lists for `server`'s database: the database's own view. SQLite has no server to ask,
    so there: the distinct Django connections of the pool's threads that are still open. Chapter 04 shows with it
    that thread_sensitive=False opens one connection per thread and leaves it open.
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from asgiref.sync import sync_to_async
    from django.db import connections

    def call_and_report_connection():
        function()
        return connections["default"]  # this thread's own connection

    pool = ThreadPoolExecutor(max_workers=concurrent)
    try:
        on_thread = sync_to_async(call_and_report_connection, thread_sensitive=False, executor=pool)
        used = await asyncio.gather(*(on_thread() for _ in range(concurrent)))
        still_open = {id(wrapper): wrapper for wrapper in used if wrapper.connection is not None}.values()
        if server.database.backend == "postgresql":  # type: ignore[union-attr]  # a running server: it has a database
            backends = {wrapper.connection.info.backend_pid for wrapper in still_open}
            return _backends_listed(server, backends), "their backends listed in pg_stat_activity"
        return len(still_open), "distinct open SQLite connections of the pool's threads"
    finally:
        close_pool_connections(pool)


def _backends_listed(server: LiveServer, pids: Iterable[int]) -> int:
    """How many of the PostgreSQL backends `pids` pg_stat_activity lists for `server`'s database."""
    name = server.database_url.rsplit("/", 1)[1]  # type: ignore[union-attr]  # a running server: it has a database
    with databases.maintenance_connection() as admin:
        query = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid = ANY(%s)"
        return admin.execute(query, [name, sorted(pids)]).fetchone()[0]


def close_pool_connections(pool: ThreadPoolExecutor) -> None:
    """Close the database connection each thread of `pool` (a ThreadPoolExecutor) opened, then shut it down.

    Django closes a connection at the end of a request, on the request's own thread. A pool thread that ran ORM
    code through sync_to_async(..., thread_sensitive=False) keeps its connection open after that, until someone
    closes it on that same thread. A barrier makes each of the pool's threads run one close.
    """
    import threading

    from django.db import connections

    threads = len(pool._threads)  # the threads the pool actually started (at most max_workers)
    if threads:
        barrier = threading.Barrier(threads)

        def close_on_this_thread():
            barrier.wait(timeout=10)  # every thread takes exactly one of these calls
            connections.close_all()

        for future in [pool.submit(close_on_this_thread) for _ in range(threads)]:
            future.result(timeout=20)
    pool.shutdown(wait=True)
