"""Server-sent events done properly: numbered, resumable, kept alive, and stopped when the client leaves.

A client that comes back resumes after the last id it saw, a heartbeat keeps idle connections open through
proxies, and a client that hangs up stops its stream (and its subscription) at once.

ASGI only: the stream is an async generator that never ends, and Django serves an async iterator to a WSGI server by
reading it to its end first, so under WSGI the client gets nothing and a worker is taken for good
(tests/realtime/test_live.py shows it under gunicorn's sync worker).

    GET  /realtime/live/               a page that shows what its EventSource and its WebSocket receive
    GET  /realtime/<topic>/events/     the stream (text/event-stream); Last-Event-ID resumes it
    POST /realtime/<topic>/publish/    {"message": "..."}: an event for every listener (staff only)
    GET  /realtime/stats/              this process's listeners per topic, the last event id, the process id
"""

import asyncio
import json
import logging
import os
import re

from django.conf import settings
from django.http import JsonResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_POST

from config.errors import ApiError, error_response
from config.params import int_param, json_body
from realtime.broker import Event, broker
from realtime.fanout import BusUnavailable

log = logging.getLogger("realtime")

RETRY_MS = 1000  # how long a browser's EventSource waits before it reconnects (sent once, as `retry:`)
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")  # a topic or room name, as realtime/routing.py accepts it
MAX_MESSAGE = 1000  # characters in a published message


def server_sent(event: Event) -> str:
    return f"id: {event.id}\nevent: {event.topic}\ndata: {json.dumps(event.data)}\n\n"


def last_event_id(request) -> int | None:
    """The id a reconnecting client saw last: the Last-Event-ID header an EventSource sends (or ?last_event_id=
    for clients that cannot set headers). None for a first connection."""
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id")
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:  # "²".isdigit(), and int("²") fails
        raise ApiError(400, f"Last-Event-ID must be the id of an event (a whole number), not {raw[:40]!r}")
    return int(raw)


def check_topic(topic: str) -> None:
    """Topic names are bounded like room names: each topic a client names costs the broker a little memory."""
    if not SLUG.fullmatch(topic):
        raise ApiError(400, f"a topic is 1 to 50 letters, digits, hyphens or underscores, not {topic[:60]!r}")


@require_GET
async def realtime_stream(request, topic):
    check_topic(topic)
    after = last_event_id(request)
    limit = int_param(request, "limit", default=0, minimum=0, maximum=10_000)  # 0: until the client leaves
    heartbeat = settings.REALTIME_HEARTBEAT_SECONDS
    request_id = request.request_id
    try:
        await broker.ready()  # with Redis: a 503 now rather than a stream that would never get an event
    except BusUnavailable as error:
        raise ApiError(503, str(error)) from None
    if after is not None:
        log.info("stream %s on %s resumes after id %d", request_id, topic, after)

    async def events():
        sent = 0
        async with broker.subscribe(topic, after=after) as subscription:  # before the first byte: nothing is missed
            yield f"retry: {RETRY_MS}\n\n"
            try:
                for event in subscription.missed:
                    yield server_sent(event)
                    sent += 1
                    if sent == limit:
                        return
                while True:
                    try:
                        event = await asyncio.wait_for(subscription.next(), timeout=heartbeat)
                    except TimeoutError:
                        yield ": heartbeat\n\n"  # a comment line: EventSource ignores it, proxies see traffic
                        continue
                    if event is None:  # the broker lost Redis: end, and the client resumes from its last id
                        return
                    yield server_sent(event)
                    sent += 1
                    if sent == limit:
                        return
            finally:  # the end of the stream, or a client that hung up (CancelledError): unsubscribed either way
                log.info("stream %s on %s closed after %d events", request_id, topic, sent)

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx passes each event on at once, gzip or not (chapter 11)
    return response


@require_POST
async def realtime_publish(request, topic):
    check_topic(topic)
    user = await request.auser()  # never request.user in async code: its lazy load would query on the event loop
    if not user.is_staff:
        if user.is_authenticated:
            return error_response(403, "only staff can publish")
        return error_response(401, "log in to publish (POST /auth/login/)")
    message = json_body(request).get("message")
    if not isinstance(message, str) or not message.strip():
        raise ApiError(400, 'the body must be {"message": "..."} with a non-empty message')
    if len(message) > MAX_MESSAGE:
        raise ApiError(400, f"message has {len(message)} characters; at most {MAX_MESSAGE} are allowed")
    try:
        event = await broker.apublish(topic, {"message": message, "by": user.get_username()})
    except BusUnavailable as error:
        return error_response(503, str(error))
    return JsonResponse({"id": event.id, "topic": topic}, status=201)


@require_GET
async def realtime_live(request):
    """The browser's side: ?topic= (a slug, default "news") for the EventSource, ?room= for the WebSocket, ?limit= to
    make the server end each stream after that many events (the browser then reconnects with Last-Event-ID)."""
    topic = slug_param(request, "topic", default="news")
    room = slug_param(request, "room", default="lobby")
    limit = int_param(request, "limit", default=0, minimum=0, maximum=10_000)
    events_url = f"/realtime/{topic}/events/" + (f"?limit={limit}" if limit else "")
    page = {"topic": topic, "room": room, "events_url": events_url, "socket_path": f"/ws/rooms/{room}/"}
    # A TemplateResponse renders after the view returns, in the handler's sync part: nothing lazy runs on the loop.
    return TemplateResponse(request, "realtime/live.html", {**page, "page": page})


def slug_param(request, name: str, *, default: str) -> str:
    value = request.GET.get(name) or default
    if not SLUG.fullmatch(value):
        raise ApiError(400, f"{name} must be 1 to 50 letters, digits, hyphens or underscores, not {value[:60]!r}")
    return value


@require_GET
async def realtime_stats(request):
    # The worker's process id tells clients of a multi-process server which process answered (chapter 11).
    return JsonResponse({"subscribers": broker.subscribers(), "last_id": broker.last_id, "worker": os.getpid()})
