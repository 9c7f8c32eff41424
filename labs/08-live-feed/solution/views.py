"""Lab 08, reference solution: a live feed of published articles, served under /labs/08-live-feed/.

GET  feed/                       the feed (text/event-stream): one event per article published
POST articles/<slug>/publish/    publish a draft (staff only), then announce it on the feed
"""

import asyncio
import json

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import JsonResponse, StreamingHttpResponse
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from articles.models import Article
from articles.services import ArticleAlreadyPublished, article_publish
from config.errors import ApiError, error_response
from realtime.broker import broker
from realtime.fanout import BusUnavailable

TOPIC = "articles"
RETRY_MS = 1000  # how long a browser waits before it reconnects


def last_event_id(request):
    """The last id a reconnecting client saw (its Last-Event-ID header), or None for a first connection."""
    raw = request.headers.get("Last-Event-ID", "")
    if raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:  # "²".isdigit(), and int("²") fails
        raise ApiError(400, f"Last-Event-ID must be the id of an event (a whole number), not {raw[:40]!r}")
    return int(raw)


def as_server_sent(event):
    return f"id: {event.id}\nevent: article\ndata: {json.dumps(event.data)}\n\n"


@require_GET
async def feed(request):
    after = last_event_id(request)  # read before the stream starts: a bad header is a 400, not a broken stream
    heartbeat = settings.REALTIME_HEARTBEAT_SECONDS
    try:
        await broker.ready()  # with Redis gone: a 503 now, rather than a stream that would never get an event
    except BusUnavailable as error:
        raise ApiError(503, str(error)) from None

    async def events():
        # Subscribed for as long as the stream lasts: the block ends when the stream ends and when the client hangs
        # up (the CancelledError passes through it), and the broker forgets this listener either way.
        async with broker.subscribe(TOPIC, after=after) as subscription:
            yield f"retry: {RETRY_MS}\n\n"  # listening from here on
            for event in subscription.missed:  # what the client missed since `after`, oldest first
                yield as_server_sent(event)
            while True:
                try:
                    event = await asyncio.wait_for(subscription.next(), timeout=heartbeat)
                except TimeoutError:
                    yield ": heartbeat\n\n"  # a comment: browsers ignore it, proxies see a live connection
                    continue
                if event is None:  # the broker ended this stream: the client reconnects and resumes
                    return
                yield as_server_sent(event)

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"  # a cache between server and browser must not keep or merge a stream
    response["X-Accel-Buffering"] = "no"  # nginx passes it on event by event, whatever else it buffers
    return response


@require_POST
async def publish(request, slug):
    user = await request.auser()
    if not user.is_authenticated:
        return error_response(401, "log in to publish")
    if not user.is_staff:
        return error_response(403, "only staff can publish")
    try:
        article = await sync_to_async(article_publish)(slug=slug, published_by=user)
    except Article.DoesNotExist:
        return error_response(404, f"no article with slug {slug!r}")
    except ArticleAlreadyPublished:
        return error_response(409, f"article {slug!r} is already published")
    # Announced once the publish has committed, through the project's broker: every worker process hears it.
    try:
        await broker.apublish(TOPIC, {"slug": article.slug, "title": article.title})
    except BusUnavailable as error:
        return error_response(503, f"article {slug!r} is published, but the feed could not announce it: {error}")
    return JsonResponse({"slug": article.slug, "status": article.status})


urlpatterns = [
    path("feed/", feed),
    path("articles/<slug:slug>/publish/", publish),
]
