"""Lab 05: a sync island. Edit this file; the live project serves it under /labs/05-sync-island/.

POST /labs/05-sync-island/articles/<slug>/publish/ publishes a draft, exactly once, however many requests
arrive at the same time:
    200 {"slug": ..., "status": "published"}   for a logged-in staff user and a draft
    409 {"error": ...}                          if the article is already published
    404 {"error": ...}                          for an unknown slug
    401 {"error": ...} / 403 {"error": ...}     for an anonymous user / a user who is not staff
Each publish records one ArticleTransition. Keep race_window() between your check and your write.
"""

# This file starts as the frame of the reference solution (solution/views.py), with what you write left as TODOs.

from asgiref.sync import sync_to_async
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from articles.models import Article, ArticleTransition
from config.errors import error_response
from labs.support import race_window


def publish_article(*, article, published_by):
    # TODO 2: make this the sync island. Take the slug instead of an article read elsewhere, and in ONE
    # transaction: lock the row (select_for_update), check the status, call race_window(), write, and
    # record the transition. Raise an exception the view turns into 404 or 409.
    article.status = Article.Status.PUBLISHED
    article.published_at = timezone.now()
    article.save(update_fields=["status", "published_at"])
    ArticleTransition.objects.create(
        article=article, from_status="draft", to_status="published", changed_by=published_by
    )
    return article


@require_POST
async def publish(request, slug):
    user = await request.auser()
    # TODO 1: answer 401 for an anonymous user and 403 for a user who is not staff.
    article = await Article.objects.aget(slug=slug)  # TODO 3: an unknown slug must be a 404, not a 500
    if article.status == Article.Status.PUBLISHED:  # checked here, in async code, outside any transaction...
        return error_response(409, f"article {slug!r} is already published")
    await sync_to_async(race_window)()  # ... so every request that gets this far will write
    article = await sync_to_async(publish_article)(article=article, published_by=user)
    return JsonResponse({"slug": article.slug, "status": article.status})


urlpatterns = [path("articles/<slug:slug>/publish/", publish)]
