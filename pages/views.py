"""The endpoints the chapters run against. Each view is short enough to show whole in a notebook.

Sync and async twins share a name apart from their prefix (`sync_wait` / `async_wait`), so a chapter
can start the same server and compare the pair.
"""

import asyncio
import itertools
import json
import logging
import threading
import time
import weakref

import httpx
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.http import JsonResponse, StreamingHttpResponse
from django.views import View
from django.views.decorators.http import require_GET

from articles.models import Article
from config.errors import ApiError
from config.params import float_list_param, float_param, int_list_param, int_param

lifecycle_log = logging.getLogger("pages.lifecycle")

MAX_WAIT_SECONDS = 10.0


# --- Seed endpoints: /async-hello/, /async-demo/{concurrent,sequential}/, /async-status/ ---------


@require_GET
async def async_hello(request):
    await asyncio.sleep(0.1)
    return JsonResponse({"message": "hello from async view"})


async def slow_io(n: int) -> dict:
    """Stands in for one I/O call (an HTTP request, a cache read) that takes 0.2 s (labs' checks vary it)."""
    await asyncio.sleep(getattr(settings, "SLOW_IO_SECONDS", 0.2))
    return {"task": n, "done": True}


@require_GET
async def async_concurrency_demo(request):
    start = time.perf_counter()
    results = await asyncio.gather(*(slow_io(n) for n in range(1, 6)))
    duration_ms = (time.perf_counter() - start) * 1000
    return JsonResponse({"mode": "concurrent", "duration_ms": round(duration_ms, 2), "results": results})


@require_GET
async def async_sequential_demo(request):
    start = time.perf_counter()
    results = [await slow_io(n) for n in range(1, 6)]
    duration_ms = (time.perf_counter() - start) * 1000
    return JsonResponse({"mode": "sequential", "duration_ms": round(duration_ms, 2), "results": results})


class AsyncStatusView(View):
    async def get(self, request, *args, **kwargs):
        await asyncio.sleep(0.1)
        return JsonResponse({"status": "ok", "kind": "cbv-async"})


# --- Trivial twins: what a request costs when the view does nothing -------------------------------


@require_GET
def sync_ping(request):
    return JsonResponse({"pong": True, "view": "sync"})


@require_GET
async def async_ping(request):
    return JsonResponse({"pong": True, "view": "async"})


# --- Waiting twins: the same wait, blocking a thread or yielding to the event loop -----------------


@require_GET
def sync_wait(request):
    seconds = float_param(request, "seconds", default=0.2, minimum=0, maximum=MAX_WAIT_SECONDS)
    time.sleep(seconds)  # holds this worker thread for the whole wait
    return JsonResponse({"view": "sync", "waited": seconds})


@require_GET
async def async_wait(request):
    seconds = float_param(request, "seconds", default=0.2, minimum=0, maximum=MAX_WAIT_SECONDS)
    await asyncio.sleep(seconds)  # the event loop serves other requests meanwhile
    return JsonResponse({"view": "async", "waited": seconds})


# --- Computing twins: work that needs the CPU, not waiting --------------------------------------------


def burn_cpu(seconds: float) -> int:
    """Stands in for CPU-bound work (parsing, rendering, hashing): spin until this thread used `seconds` of CPU.

    Counting this thread's CPU time, not wall time, makes every request cost the same CPU however many
    other threads or processes compete for the cores.
    """
    deadline = time.thread_time() + seconds
    spins = 0
    while time.thread_time() < deadline:
        spins += 1
    return spins


@require_GET
def sync_compute(request):
    seconds = float_param(request, "seconds", default=0.05, minimum=0, maximum=2)
    burn_cpu(seconds)
    return JsonResponse({"view": "sync", "cpu_seconds": seconds})


@require_GET
async def async_compute(request):
    seconds = float_param(request, "seconds", default=0.05, minimum=0, maximum=2)
    burn_cpu(seconds)  # no await can help: the event loop is busy computing, so nothing else runs
    return JsonResponse({"view": "async", "cpu_seconds": seconds})


# --- Where did this request run? -----------------------------------------------------------------

_loop_serials = weakref.WeakKeyDictionary()
_next_serial = itertools.count(1)


def where_it_ran(request, view: str) -> dict:
    """Server interface, thread and event loop of the code that is running right now.

    Event loops get a serial number the first time they are seen (ids of dead objects are reused,
    serials are not), so two requests with the same serial ran on the same loop.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is not None and loop not in _loop_serials:
        _loop_serials[loop] = next(_next_serial)
    thread = threading.current_thread()
    return {
        "view": view,
        "interface": "ASGI" if hasattr(request, "scope") else "WSGI",
        "thread": thread.name,
        "main_thread": thread is threading.main_thread(),
        "event_loop_running": loop is not None,
        "event_loop_serial": _loop_serials.get(loop) if loop is not None else None,
    }


@require_GET
def sync_where(request):
    return JsonResponse(where_it_ran(request, "sync"))


@require_GET
async def async_where(request):
    return JsonResponse(where_it_ran(request, "async"))


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


# --- A slow upstream service and a fan-out over it ------------------------------------------------


@require_GET
async def slow_upstream(request):
    """A simulated remote service: answers after `delay` seconds with `status` (to inject failures).

    Like a real service, it notices a caller that hangs up before the answer: it logs `upstream <id> cancelled`
    (logger pages.lifecycle), with the X-Request-Id the caller sent.
    """
    delay = float_param(request, "delay", default=0.2, minimum=0, maximum=MAX_WAIT_SECONDS)
    status = int_param(request, "status", default=200, minimum=200, maximum=599)
    started = time.perf_counter()
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        lifecycle_log.info("upstream %s cancelled after %.2f s", request.request_id, time.perf_counter() - started)
        raise
    return JsonResponse({"delay": delay, "status": status}, status=status)


def upstream_url(request) -> str:
    """settings.UPSTREAM_URL, or this server's own /upstream/ (safe on an ASGI server, see settings.py)."""
    return settings.UPSTREAM_URL or request.build_absolute_uri("/upstream/")


async def call_upstream(client, semaphore, url, *, call, delay, status, timeout, request_id) -> dict:
    """One upstream call with its own deadline. Waiting for a free slot does not count against it.
    The call carries the id `<request_id>-call<n>`, so the upstream's log lines can be matched to it."""
    async with semaphore:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                params, headers = {"delay": delay, "status": status}, {"X-Request-Id": f"{request_id}-call{call}"}
                response = await client.get(url, params=params, headers=headers)
            outcome, code = ("ok" if response.is_success else "error"), response.status_code
        except (TimeoutError, httpx.TimeoutException):
            outcome, code = "timeout", None
        except httpx.HTTPError as exc:
            outcome, code = f"error: {type(exc).__name__}", None
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    return {"call": call, "delay": delay, "outcome": outcome, "status": code, "elapsed_ms": elapsed_ms}


@require_GET
async def async_fan_out(request):
    """Call the slow upstream once per entry of `delays`, at most `concurrency` calls at a time.

    Example: /fan-out/?delays=0.2,0.2,3&statuses=200,503,200&timeout=1 -> one ok, one error, one timeout.
    """
    delays = float_list_param(request, "delays", default="0.2,0.2,0.2,0.2,0.2", minimum=0, maximum=10, max_items=50)
    statuses = int_list_param(request, "statuses", default="200", minimum=200, maximum=599, max_items=50)
    if len(statuses) > len(delays):
        raise ApiError(400, f"statuses has {len(statuses)} items but there are only {len(delays)} delays")
    statuses += [200] * (len(delays) - len(statuses))
    timeout = float_param(request, "timeout", default=1.0, minimum=0.01, maximum=10)
    concurrency = int_param(request, "concurrency", default=len(delays), minimum=1, maximum=50)
    url = upstream_url(request)

    started = time.perf_counter()
    semaphore = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=timeout + 1) as client:  # asyncio.timeout is the real deadline
        calls = await asyncio.gather(
            *(
                call_upstream(
                    client, semaphore, url, call=i, delay=d, status=s, timeout=timeout, request_id=request.request_id
                )
                for i, (d, s) in enumerate(zip(delays, statuses, strict=True))
            )
        )
    outcomes = [c["outcome"].split(":")[0] for c in calls]
    summary = {kind: outcomes.count(kind) for kind in ("ok", "error", "timeout")}
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    return JsonResponse({"duration_ms": duration_ms, "concurrency": concurrency, "summary": summary, "calls": calls})


# --- Whose event loop is it? An HTTP client's lifetime ---------------------------------------------

# MISTAKE: one client for the whole process. Its pooled connections belong to the event loop that opened
# them. Under WSGI (and async_to_sync) every request runs on a new loop, so the next request finds its
# connection tied to a loop that is already closed: "RuntimeError: Event loop is closed".
GLOBAL_UPSTREAM_CLIENT = httpx.AsyncClient(timeout=5)


@require_GET
async def async_upstream_global_client(request):
    response = await GLOBAL_UPSTREAM_CLIENT.get(upstream_url(request), params={"delay": 0})
    return JsonResponse({"client": "global", "upstream_status": response.status_code})


@require_GET
async def async_upstream_request_client(request):
    # A client per request, closed by `async with` on the loop that opened it: correct under any server.
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.get(upstream_url(request), params={"delay": 0})
    return JsonResponse({"client": "per request", "upstream_status": response.status_code})


# --- Fire and forget: a task created in a view is not a job queue ---------------------------------

_background_tasks = set()  # keeps running tasks referenced: the loop itself only holds weak references


async def pretend_to_send_email(request_id: str) -> None:
    lifecycle_log.info("background %s started", request_id)
    try:
        await asyncio.sleep(0.5)  # stands in for talking to a mail server
    except asyncio.CancelledError:
        lifecycle_log.info("background %s cancelled", request_id)
        raise
    lifecycle_log.info("background %s done", request_id)


@require_GET
async def async_fire_and_forget(request):
    """Answer at once and leave the work to a task. It only finishes if this event loop lives long enough:
    under WSGI the loop ends with the request, and under uvicorn a restart loses whatever is pending."""
    task = asyncio.create_task(pretend_to_send_email(request.request_id))
    _background_tasks.add(task)
    task.add_done_callback(_background_tasks.discard)
    return JsonResponse({"queued": True})


# --- The classic mistake: a blocking call inside async def -----------------------------------------


@require_GET
async def async_blocking_mistake(request):
    seconds = float_param(request, "seconds", default=0.5, minimum=0, maximum=5)
    time.sleep(seconds)  # MISTAKE: blocks the event loop, so every other request on this worker waits
    return JsonResponse({"view": "async_blocking_mistake", "blocked_for": seconds})


@require_GET
async def async_blocking_fixed(request):
    seconds = float_param(request, "seconds", default=0.5, minimum=0, maximum=5)
    await asyncio.to_thread(time.sleep, seconds)  # the blocking call waits on a thread, not on the loop
    return JsonResponse({"view": "async_blocking_fixed", "blocked_for": seconds})


# --- Long-lived requests: a long poll and a server-sent event stream ------------------------------


@require_GET
async def async_long_poll(request):
    """Wait for an event that never comes; log what happens if the client gives up first.

    The log lines (logger `pages.lifecycle`) carry the request id, so a notebook that sent
    `X-Request-Id: my-poll` can find `long-poll my-poll cancelled` in the server's log.
    """
    seconds = float_param(request, "seconds", default=30, minimum=0, maximum=60)
    started = time.perf_counter()
    lifecycle_log.info("long-poll %s started", request.request_id)
    try:
        await asyncio.sleep(seconds)  # stands in for waiting on a queue, a channel, a database row
    except asyncio.CancelledError:
        lifecycle_log.info("long-poll %s cancelled after %.2f s", request.request_id, time.perf_counter() - started)
        raise  # swallowing the cancellation would leave the server waiting on a dead request
    finally:
        lifecycle_log.info("long-poll %s cleanup", request.request_id)
    lifecycle_log.info("long-poll %s completed", request.request_id)
    return JsonResponse({"event": None, "waited": seconds})


@require_GET
async def async_wait_for_sync_work(request):
    """Await slow sync work on a thread. A disconnect cancels the await, not the work: the thread runs on."""
    seconds = float_param(request, "seconds", default=2, minimum=0, maximum=10)
    request_id, started = request.request_id, time.perf_counter()

    def slow_sync_work():
        time.sleep(seconds)  # stands in for a sync SDK call, a report, a slow query
        lifecycle_log.info("sync work %s finished after %.2f s", request_id, time.perf_counter() - started)

    try:
        await sync_to_async(slow_sync_work)()
    except asyncio.CancelledError:
        lifecycle_log.info("sync work %s: view cancelled after %.2f s", request_id, time.perf_counter() - started)
        raise
    return JsonResponse({"worked": seconds})


def server_sent_event(n: int) -> str:
    return f"id: {n}\nevent: tick\ndata: {json.dumps({'n': n})}\n\n"


@require_GET
async def async_event_stream(request):
    """Server-sent events: `count` events, one every `interval` seconds, from an async generator."""
    count = int_param(request, "count", default=10, minimum=1, maximum=1000)
    interval = float_param(request, "interval", default=0.1, minimum=0, maximum=5)
    request_id = request.request_id

    async def events():
        sent = 0
        try:
            for n in range(count):
                if n:
                    await asyncio.sleep(interval)
                yield server_sent_event(n)
                sent += 1
        except asyncio.CancelledError:
            lifecycle_log.info("stream %s disconnected after %d events", request_id, sent)
            raise
        finally:
            lifecycle_log.info("stream %s closed after %d events", request_id, sent)

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def sync_event_stream(request):
    """The same events from a sync generator, with time.sleep between them.

    Under WSGI it streams, and it learns of a disconnect only when a write fails (the server then closes
    the generator). Under ASGI Django cannot iterate it on the event loop: it warns, reads the whole
    generator on a thread, and sends everything at the end.
    """
    count = int_param(request, "count", default=10, minimum=1, maximum=1000)
    interval = float_param(request, "interval", default=0.1, minimum=0, maximum=5)
    request_id = request.request_id

    def events():
        sent = 0
        try:
            for n in range(count):
                if n:
                    time.sleep(interval)
                yield server_sent_event(n)
                sent += 1
        finally:
            lifecycle_log.info("stream %s closed after %d events", request_id, sent)

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    return response
