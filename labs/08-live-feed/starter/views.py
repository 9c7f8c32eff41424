"""Lab 08, starter: a live feed of published articles, served under /labs/08-live-feed/.

    GET  feed/                       the feed (text/event-stream): one event per article published
    POST articles/<slug>/publish/    publish a draft (staff only), then announce it on the feed

It works in a demo with one server process and one patient client. The TODOs make it a feed for real clients
(they reconnect, go quiet, hang up) on a real server (more than one worker process). README.md has the rules.
"""

import asyncio
import json

from asgiref.sync import sync_to_async
from django.conf import settings  # noqa: F401 - for TODO 3
from django.http import JsonResponse, StreamingHttpResponse
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from articles.models import Article
from articles.services import ArticleAlreadyPublished, article_publish
from config.errors import ApiError, error_response  # noqa: F401 - ApiError is for TODO 2

# TODO 1: these queues are this process's. A publish handled by another worker process never reaches them, and a
# queue is never removed. Listen and announce through the project's broker instead: `from realtime.broker import
# broker`, topic "articles". Listen with `async with broker.subscribe("articles") as subscription:` INSIDE the
# generator below (the view returns before the stream starts: only the generator lives as long as the stream),
# yield a `retry: 1000` line first, once listening, then each `event = await subscription.next()` (None means the
# broker ended the stream: return). Announce with `await broker.apublish("articles", {...})`.
listeners = set()


@require_GET
async def feed(request):
    # TODO 2: ids and resume. Send every event with an `id:` line (event.id), so that a browser has something to send
    # back when it reconnects. Read its Last-Event-ID header here, in the view, before the stream starts
    # (request.headers.get("Last-Event-ID"): None on a first connection; anything but a whole number is
    # `raise ApiError(400, "... Last-Event-ID ...")`), pass it as `broker.subscribe(..., after=...)`, and send
    # subscription.missed (what the client missed, oldest first) before anything new.
    queue = asyncio.Queue()
    listeners.add(queue)

    async def events():
        # TODO 3: heartbeats. When settings.REALTIME_HEARTBEAT_SECONDS pass without an event, yield a comment,
        # ": heartbeat\n\n", and wait again (asyncio.wait_for(..., timeout=...) raises TimeoutError).
        # TODO 4: cleanup. When the client hangs up, Django cancels this generator: the `async with` block of TODO 1
        # then unsubscribes, as long as nothing here catches the asyncio.CancelledError. Check that nothing does.
        while True:
            article = await queue.get()
            yield f"event: article\ndata: {json.dumps(article)}\n\n"

    return StreamingHttpResponse(events(), content_type="text/event-stream")


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
    for queue in listeners:  # TODO 1
        queue.put_nowait({"slug": article.slug, "title": article.title})
    return JsonResponse({"slug": article.slug, "status": article.status})


urlpatterns = [
    path("feed/", feed),
    path("articles/<slug:slug>/publish/", publish),
]
