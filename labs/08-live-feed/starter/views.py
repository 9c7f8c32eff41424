"""Lab 08, starter: a live feed of published articles, served under /labs/08-live-feed/.

    GET  feed/                       the feed (text/event-stream): one event per article published
    POST articles/<slug>/publish/    publish a draft (staff only), then announce it on the feed

It works in a demo with one server process and one patient client. The TODOs make it a feed for real clients
(they reconnect, go quiet, hang up) on a real server (more than one worker process). README.md has the rules.
"""

import asyncio
import json

from asgiref.sync import sync_to_async
from django.http import JsonResponse, StreamingHttpResponse
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from articles.models import Article
from articles.services import ArticleAlreadyPublished, article_publish
from config.errors import error_response

# TODO 1: these queues are this process's. A publish handled by another worker process never reaches them.
# Listen and announce through the project's broker instead: `from realtime.broker import broker`, topic "articles"
# (`async with broker.subscribe(...)`, `await broker.apublish(...)`).
listeners = set()


@require_GET
async def feed(request):
    # TODO 2: resume. Read the Last-Event-ID header (a whole number; anything else is a 400 with a message: raise
    # config.errors.ApiError(400, "...")) and send what the client missed since then first. Number every event
    # with an `id:` line, so that the browser has something to send back when it reconnects.
    queue = asyncio.Queue()
    listeners.add(queue)

    async def events():
        # TODO 3: start with a `retry: 1000` line once the stream listens, and send a heartbeat comment
        # (": heartbeat") after each settings.REALTIME_HEARTBEAT_SECONDS without an event.
        # TODO 4: when the client hangs up, stop listening at once (and let the cancellation through).
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
