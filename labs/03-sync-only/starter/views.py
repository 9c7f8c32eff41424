"""Lab 03: SynchronousOnlyOperation. Edit this file; the live project serves it under /labs/03-sync-only/.

Three endpoints show the five newest published articles. Each fails with SynchronousOnlyOperation today:
    GET async-orm/       {"articles": [{"slug": ..., "author": ...}, ...]}   fix it with the async ORM
    GET sync-function/   the same JSON                                       fix it with a sync function + sync_to_async
    GET titles/          an HTML page (articles/article_list.html)           fix the queryset that reaches the template
"""

# This file starts as the frame of the reference solution (solution/views.py), with what you write left as TODOs.

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from articles.models import Article


def newest():
    return Article.objects.published().order_by("-published_at")[:5]


@require_GET
async def newest_async_orm(request):
    # TODO 1: iterate with `async for`, and load each author in the same query (the foreign key is lazy).
    articles = [{"slug": article.slug, "author": article.author.username} for article in newest()]
    return JsonResponse({"articles": articles})


@require_GET
async def newest_sync_function(request):
    # TODO 2: move the query and the loop into a plain `def` and await it through sync_to_async.
    articles = [{"slug": article.slug, "author": article.author.username} for article in newest()]
    return JsonResponse({"articles": articles})


@require_GET
async def newest_titles_page(request):
    # TODO 3: render() evaluates the lazy queryset right here, in async code. Return something that is
    # rendered later, on a thread, or evaluate the data first.
    return render(request, "articles/article_list.html", {"articles": newest()})


urlpatterns = [
    path("async-orm/", newest_async_orm),
    path("sync-function/", newest_sync_function),
    path("titles/", newest_titles_page),
]
