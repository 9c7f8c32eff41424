"""Server-sent events done properly: numbered, resumable, kept alive, and stopped when the client leaves.

A client that comes back resumes after the last id it saw, a heartbeat keeps idle connections open through
proxies, and a client that hangs up stops its stream (and its subscription) at once.

    GET  /realtime/<topic>/events/     the stream (text/event-stream); Last-Event-ID resumes it
    POST /realtime/<topic>/publish/    {"message": "..."}: an event for every listener (staff only)
    GET  /realtime/stats/              how many clients listen to each topic, and the last event id
"""

import asyncio
import json
import logging

from django.conf import settings
from django.http import JsonResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET, require_POST

from config.errors import ApiError, error_response
from config.params import int_param, json_body
from realtime.broker import Event, broker

log = logging.getLogger("realtime")

RETRY_MS = 1000  # how long a browser's EventSource waits before it reconnects (sent once, as `retry:`)
MAX_MESSAGE = 1000  # characters in a published message


def server_sent(event: Event) -> str:
    return f"id: {event.id}\nevent: {event.topic}\ndata: {json.dumps(event.data)}\n\n"


def last_event_id(request) -> int | None:
    """The id a reconnecting client saw last: the Last-Event-ID header an EventSource sends (or ?last_event_id=
    for clients that cannot set headers). None for a first connection."""
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id")
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise ApiError(400, f"Last-Event-ID must be the id of an event (a whole number), not {raw[:40]!r}")
    return int(raw)


@require_GET
async def realtime_stream(request, topic):
    after = last_event_id(request)
    limit = int_param(request, "limit", default=0, minimum=0, maximum=10_000)  # 0: until the client leaves
    heartbeat = settings.REALTIME_HEARTBEAT_SECONDS
    request_id = request.request_id

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
                        event = await asyncio.wait_for(subscription.queue.get(), timeout=heartbeat)
                    except TimeoutError:
                        yield ": heartbeat\n\n"  # a comment line: EventSource ignores it, proxies see traffic
                        continue
                    yield server_sent(event)
                    sent += 1
                    if sent == limit:
                        return
            finally:  # the end of the stream, or a client that hung up (CancelledError): unsubscribed either way
                log.info("stream %s on %s closed after %d events", request_id, topic, sent)

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx would otherwise buffer the stream (chapter 09)
    return response


@require_POST
async def realtime_publish(request, topic):
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
    event = broker.publish(topic, {"message": message, "by": user.get_username()})
    return JsonResponse({"id": event.id, "topic": topic}, status=201)


@require_GET
async def realtime_stats(request):
    return JsonResponse({"subscribers": broker.subscribers(), "last_id": broker.last_id})
