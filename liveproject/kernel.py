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

import os
import sys

from liveproject import databases

_attached_to = None


def use_django(server=None) -> None:
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
            os.environ["DATABASE_URL"] = server.database_url
        django.setup()
        from django.db.backends.signals import connection_created

        connection_created.connect(_add_sleep_function_to_sqlite)
    elif server is not None:
        _close_kernel_connections()
        _point_default_database_at(server.database_url)
    _attached_to = server


def forget_server(server) -> None:
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


def _add_sleep_function_to_sqlite(sender, connection, **kwargs):
    # PostgreSQL has pg_sleep(); give the kernel's SQLite connections one too (it releases the GIL while it
    # waits, as a database server would), so slow_query() behaves the same on both tracks.
    if connection.vendor == "sqlite":
        import time

        connection.connection.create_function("pg_sleep", 1, time.sleep)


def slow_query(seconds: float):
    """A queryset of one row whose evaluation waits `seconds` inside the database, like a slow query.

    `await slow_query(0.1).afirst()` takes about 0.1 s, spent in the database driver, not in Python.
    Only for the kernel (use_django() sets it up): chapter 04 uses it to time ORM calls.
    """
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    from articles.models import Article

    waited = RawSQL("pg_sleep(%s) IS NULL", [seconds], output_field=BooleanField())
    return Article.objects.filter(slug="article-01").annotate(waited=waited).values_list("slug", "waited")


async def count_thread_hops(
    path: str = "/ping/async/", *, middleware: list[str] | None = None
) -> tuple[int, list[str]]:
    """Serve GET `path` once through Django's real ASGIHandler, in this process, and list every crossing between
    async and sync code on the way: (status, names of the functions that crossed).

    Both directions count: sync_to_async (async code handing sync code to a thread) and async_to_sync (sync code
    waiting for a coroutine). `middleware` replaces settings.MIDDLEWARE for this one request.
    """
    import asyncio
    from unittest import mock

    from asgiref.sync import AsyncToSync, SyncToAsync
    from django.core.handlers.asgi import ASGIHandler
    from django.test import override_settings

    crossings: list[str] = []
    to_thread, from_thread = SyncToAsync.__call__, AsyncToSync.__call__

    async def counting_to_thread(self, *args, **kwargs):
        crossings.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await to_thread(self, *args, **kwargs)

    def counting_from_thread(self, *args, **kwargs):
        crossings.append(getattr(self.awaitable, "__qualname__", repr(self.awaitable)))
        return from_thread(self, *args, **kwargs)

    scope = {
        "type": "http", "method": "GET", "path": path, "query_string": b"", "headers": [(b"host", b"127.0.0.1")],
        "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1),
    }  # fmt: skip
    incoming = [{"type": "http.request", "body": b"", "more_body": False}]
    sent: list[dict] = []

    async def receive():
        if incoming:
            return incoming.pop()
        await asyncio.Event().wait()  # a client that stays connected

    async def send(message):
        sent.append(message)

    overrides = {} if middleware is None else {"MIDDLEWARE": middleware}
    with override_settings(**overrides):
        handler = ASGIHandler()  # builds the middleware chain from the settings in force
        with (
            mock.patch.object(SyncToAsync, "__call__", counting_to_thread),
            mock.patch.object(AsyncToSync, "__call__", counting_from_thread),
        ):
            await handler(scope, receive, send)
    return sent[0]["status"], crossings
