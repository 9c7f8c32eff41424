"""The database from async views (chapter 10): which connection served a request, and slow queries.

n slow queries can be awaited in sequence, gathered, or run on threads of their own."""

import asyncio
import itertools
import time

from asgiref.sync import sync_to_async
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from articles.models import Article
from config.errors import ApiError
from config.params import float_param, int_param

_connection_serials = itertools.count(1)


def connection_identity() -> int:
    """Which database connection this thread's queries use: PostgreSQL's backend pid. SQLite has no server
    process, so there: a serial number this process gives each new SQLite connection (never reused, unlike id())."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]
        cursor.execute("SELECT 1")
    known = getattr(connection, "course_connection_serial", None)
    if known is None or known[0] is not connection.connection:  # a new connection since the last request
        connection.course_connection_serial = (connection.connection, next(_connection_serials))
    return connection.course_connection_serial[1]


@require_GET
async def async_database_connection(request):
    """Which database connection ran this request's query (connection_identity).

    Called repeatedly: with the pool the same few connections come back; with persistent connections
    (CONN_MAX_AGE > 0) under ASGI every request opens a new one, on a new thread (chapter 10).
    """
    identity = await sync_to_async(connection_identity)()
    return JsonResponse({"vendor": connection.vendor, "connection": identity})


def slow_query(seconds: float):
    """A one-row queryset whose evaluation waits `seconds` inside the database, like a slow query: PostgreSQL's
    pg_sleep(), or on SQLite a function of the same name that pages/apps.py adds to every connection."""
    waited = RawSQL("pg_sleep(%s) IS NULL", [seconds], output_field=BooleanField())
    return Article.objects.filter(slug="article-01").annotate(waited=waited).values_list("slug", "waited")


def slow_query_on_own_connection(seconds: float):
    """slow_query() run on whatever thread calls it, then that thread's connection closed: for
    sync_to_async(..., thread_sensitive=False), whose pool threads no request cleanup ever visits."""
    try:
        return slow_query(seconds).first()
    finally:
        connection.close()


GATHER_MODES = ("sequential", "gather", "threads")


@require_GET
async def async_gather_queries(request):
    """`n` slow ORM queries, awaited one by one (mode=sequential), together with asyncio.gather (mode=gather), or
    with gather over sync_to_async(thread_sensitive=False) (mode=threads: each on a pool thread and a connection
    of its own). Chapter 10 asks whether gather makes the ORM's a-methods run in parallel inside a request."""
    n = int_param(request, "n", default=4, minimum=1, maximum=8)
    seconds = float_param(request, "seconds", default=0.1, minimum=0, maximum=1)
    mode = request.GET.get("mode", "gather")
    if mode not in GATHER_MODES:
        raise ApiError(400, f"mode must be one of {', '.join(GATHER_MODES)}, not {mode[:40]!r}")
    started = time.perf_counter()
    if mode == "sequential":
        for _ in range(n):
            await slow_query(seconds).afirst()
    elif mode == "gather":
        await asyncio.gather(*(slow_query(seconds).afirst() for _ in range(n)))
    else:
        on_own_threads = sync_to_async(slow_query_on_own_connection, thread_sensitive=False)
        await asyncio.gather(*(on_own_threads(seconds) for _ in range(n)))
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    return JsonResponse({"mode": mode, "n": n, "seconds": seconds, "duration_ms": duration_ms})
