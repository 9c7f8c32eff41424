"""Async JSON views over articles. Reads use the async ORM; the write goes through a sync island."""

import asyncio
import json
import logging

from asgiref.sync import sync_to_async
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import DatabaseError, OperationalError, connection, transaction
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import TemplateView

from articles.models import Article
from articles.selectors import article_list_drafts, article_list_published
from articles.services import ArticleAlreadyPublished, article_publish
from articles.tasks import TaskResultDoesNotExist, TaskResultMismatch, article_announce, task_result_as_dict
from config.errors import database_busy, error_response
from config.mixins import AsyncLoginRequiredMixin
from config.params import float_param, int_param

log = logging.getLogger(__name__)

PAGE_SIZE = 10


def article_as_dict(article: Article) -> dict:
    return {
        "slug": article.slug,
        "title": article.title,
        "status": article.status,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "author": article.author.username,  # the caller must have loaded author (select_related)
    }


@require_GET
async def async_article_slugs(request):
    slugs = [slug async for slug in article_list_published().values_list("slug", flat=True)[:50]]
    return JsonResponse({"count": len(slugs), "slugs": slugs})


@require_GET
async def async_article_detail(request, slug):
    article = await Article.objects.select_related("author").filter(slug=slug).afirst()
    if article is None:
        return error_response(404, f"no article with slug {slug!r}")
    transitions = await article.transitions.acount()  # how many times its status changed
    return JsonResponse(article_as_dict(article) | {"body": article.body, "transitions": transitions})


@require_POST
@transaction.non_atomic_requests  # the sync island owns the transaction; also keeps ATOMIC_REQUESTS=True off
async def async_article_publish(request, slug, service=article_publish):
    """Publish through the sync island `service`: articles/urls.py mounts the same view over
    article_publish_without_lock (the mistake chapter 06 races) at .../publish/without-lock/."""
    user = await request.auser()
    if not user.is_authenticated:
        return error_response(401, "log in to publish (POST /auth/login/)")
    if not user.is_staff:
        return error_response(403, "only staff can publish")
    work_seconds = float_param(request, "work_seconds", default=0.0, minimum=0, maximum=1)
    try:
        article = await sync_to_async(service)(slug=slug, published_by=user, work_seconds=work_seconds)
    except Article.DoesNotExist:
        return error_response(404, f"no article with slug {slug!r}")
    except ArticleAlreadyPublished:
        return error_response(409, f"article {slug!r} is already published")
    except OperationalError as error:
        if not database_busy(error):  # a defect (no such table, ...): a 500, with its traceback in the log
            raise
        log.warning("publish %s: %s (answered 503)", slug, error)
        busy = error_response(503, "the database is busy; nothing was published, try again")
        busy["Retry-After"] = "1"  # the transaction rolled back: the same request can simply be sent again
        return busy
    return JsonResponse({"slug": article.slug, "status": article.status, "published_at": article.published_at})


@require_POST
async def async_article_announce(request, slug):
    """Enqueue the announcement of `slug` (articles/tasks.py) and answer 202 at once: a worker process runs it,
    however long it takes and whatever happens to this server meanwhile. GET the Location to follow it."""
    user = await request.auser()
    if not user.is_authenticated:
        return error_response(401, "log in to announce (POST /auth/login/)")
    if not user.is_staff:
        return error_response(403, "only staff can announce")
    work_seconds = float_param(request, "work_seconds", default=0.0, minimum=0, maximum=10)
    if not await Article.objects.filter(slug=slug).aexists():
        return error_response(404, f"no article with slug {slug!r}")
    result = await article_announce.aenqueue(slug=slug, work_seconds=work_seconds)
    response = JsonResponse(task_result_as_dict(result), status=202)
    response["Location"] = reverse("async_announcement", args=[result.id])
    return response


@require_GET
async def async_announcement(request, result_id):
    """An announcement's state, as the task's result in the database records it."""
    try:
        result = await article_announce.aget_result(str(result_id))
    except (TaskResultDoesNotExist, TaskResultMismatch):
        return error_response(404, f"no announcement {result_id}")
    return JsonResponse(task_result_as_dict(result))


def release_connection() -> None:
    """Give this request's database connection back now: to the pool on PostgreSQL (closed on SQLite), instead of
    when the request ends. Await it through sync_to_async from the request itself: the connection belongs to the
    request's sync thread, where its queries ran, and sync_to_async runs this on that thread (chapter 09e)."""
    connection.close()


@require_GET
async def async_article_watch(request, slug, release=True):
    """Server-sent events about one article for `seconds`: its status now, then a look every `interval` seconds,
    with an event when the status changed and a heartbeat comment when it did not.

    A request that touched the database holds its connection until it ends, and a stream ends late: with a pool,
    a few streams hold every connection and starve all other requests. So each look gives the connection back
    (`release`). articles/urls.py mounts the same view with release=False at .../watch/holding/, the mistake
    chapter 09e measures.
    """
    seconds = float_param(request, "seconds", default=10, minimum=0, maximum=60)
    interval = float_param(request, "interval", default=1, minimum=0.05, maximum=10)
    looks = Article.objects.filter(slug=slug).values_list("status", flat=True)
    status = await looks.afirst()
    if status is None:
        return error_response(404, f"no article with slug {slug!r}")
    if release:
        await sync_to_async(release_connection)()

    def event(name: str, data: dict) -> str:
        return f"event: {name}\ndata: {json.dumps(data)}\n\n"

    async def events():
        seen = status
        yield event("status", {"slug": slug, "status": seen})
        try:
            for _ in range(int(seconds / interval)):
                await asyncio.sleep(interval)
                try:
                    now = await looks.afirst()
                finally:  # given back even when the look failed
                    if release:
                        await sync_to_async(release_connection)()
                if now is None:
                    yield event("deleted", {"slug": slug})
                    return
                if now != seen:
                    seen = now
                    yield event("status", {"slug": slug, "status": seen})
                else:
                    yield ": unchanged\n\n"
        except DatabaseError as error:
            # The 200 is long gone: end the stream with an event that says why, so that the request finishes (and
            # gives its connection back) instead of failing in the middle of a response.
            log.warning("watch %s: %s (stream ended)", slug, error)
            yield event("error", {"error": "the database is busy right now; reconnect later"})

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # a proxy passes each event on at once (chapter 09c)
    return response


# --- Lazy querysets and templates in async views ----------------------------------------------------


@require_GET
async def async_titles_render(request):
    """MISTAKE: render() renders the template right here, in async code, and the template evaluates the
    lazy queryset: a database query on the event loop, which Django refuses (SynchronousOnlyOperation)."""
    articles = article_list_published()[:PAGE_SIZE]
    return render(request, "articles/article_list.html", {"articles": articles})


@require_GET
async def async_titles_template_response(request):
    """Fix: a TemplateResponse is rendered later, by Django's handler, on a thread (sync_to_async), where
    evaluating the lazy queryset is allowed. (Or load a list first, as ArticlePageView does.)"""
    articles = article_list_published()[:PAGE_SIZE]
    return TemplateResponse(request, "articles/article_list.html", {"articles": articles})


# --- Async class-based views --------------------------------------------------------------------------


class ArticleListView(View):
    """Published articles as JSON, ten per page (`?page=`): an async list endpoint without ListView."""

    @method_decorator(cache_control(public=True, max_age=30))  # method_decorator keeps async handlers async
    async def get(self, request):
        page = int_param(request, "page", default=1, minimum=1, maximum=10_000)
        published = article_list_published()
        offset = (page - 1) * PAGE_SIZE
        articles = [article_as_dict(a) async for a in published[offset : offset + PAGE_SIZE]]
        return JsonResponse({"page": page, "count": await published.acount(), "articles": articles})


class ArticlePageView(TemplateView):
    """The same list as an HTML page. TemplateView's hooks are sync, so the async work happens in get():
    load the data with the async ORM, then hand a plain list to the (sync) template machinery."""

    template_name = "articles/article_list.html"

    async def get(self, request, *args, **kwargs):
        articles = [a async for a in article_list_published()[:PAGE_SIZE]]
        return self.render_to_response(self.get_context_data(articles=articles))


class DraftList(View):
    """Drafts a user may see: staff see every draft, others only their own.

    Not routed on its own: it reads request.user directly, which is safe only once a login mixin's dispatch()
    has loaded the user (AsyncLoginRequiredMixin does; Django's LoginRequiredMixin fails doing it)."""

    async def get(self, request):
        drafts = article_list_drafts(user=request.user)
        slugs = [slug async for slug in drafts.values_list("slug", flat=True)]
        return JsonResponse({"count": len(slugs), "slugs": slugs})


class DraftListView(AsyncLoginRequiredMixin, DraftList):
    """The drafts, for logged-in users only: 401 JSON for anyone else."""


class DraftListWithDjangoMixinView(LoginRequiredMixin, DraftList):
    """MISTAKE (Django 5.2): LoginRequiredMixin's sync dispatch() cannot protect an async view (chapter 03)."""
