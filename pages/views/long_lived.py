"""Long-lived requests (chapters 07 to 09): a long poll, sync work a view waits for, and server-sent event streams."""

import asyncio
import json
import logging
import time

from asgiref.sync import sync_to_async
from django.http import JsonResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from config.params import float_param, int_param

lifecycle_log = logging.getLogger("pages.lifecycle")  # what long-lived requests did, for chapter 07


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
