"""Lab 03, reference solution: three ways out of SynchronousOnlyOperation, under /labs/03-sync-only/."""

from asgiref.sync import sync_to_async
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.views.decorators.http import require_GET

from articles.models import Article


def newest():
    return Article.objects.published().order_by("-published_at")[:5]


@require_GET
async def newest_async_orm(request):
    articles = [
        {"slug": article.slug, "author": article.author.username}
        async for article in newest().select_related("author")  # one query, authors included
    ]
    return JsonResponse({"articles": articles})


def newest_as_dicts():
    """Plain sync code: lazy access is fine here, because it runs on a thread, not on the event loop."""
    return [{"slug": article.slug, "author": article.author.username} for article in newest().select_related("author")]


@require_GET
async def newest_sync_function(request):
    return JsonResponse({"articles": await sync_to_async(newest_as_dicts)()})


@require_GET
async def newest_titles_page(request):
    # Django renders a TemplateResponse after the view returns, through sync_to_async: the lazy queryset is
    # evaluated there, on a thread.
    return TemplateResponse(request, "articles/article_list.html", {"articles": newest().select_related("author")})


urlpatterns = [
    path("async-orm/", newest_async_orm),
    path("sync-function/", newest_sync_function),
    path("titles/", newest_titles_page),
]
