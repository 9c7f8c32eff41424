"""Lab 05, reference solution: a sync island served under /labs/05-sync-island/."""

from asgiref.sync import sync_to_async
from django.db import transaction
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from articles.models import Article, ArticleTransition
from config.errors import error_response
from labs.support import race_window


class AlreadyPublished(Exception):
    pass


def publish_article(*, slug, published_by):
    """The sync island: read, check and write on one thread, in one transaction, with the row locked."""
    with transaction.atomic():
        article = Article.objects.select_for_update().get(slug=slug)  # DoesNotExist -> 404
        if article.status == Article.Status.PUBLISHED:
            raise AlreadyPublished(slug)
        race_window()
        article.status = Article.Status.PUBLISHED
        article.published_at = timezone.now()
        article.save(update_fields=["status", "published_at"])
        ArticleTransition.objects.create(
            article=article, from_status="draft", to_status="published", changed_by=published_by
        )
    return article


@require_POST
@transaction.non_atomic_requests
async def publish(request, slug):
    user = await request.auser()
    if not user.is_authenticated:
        return error_response(401, "log in to publish")
    if not user.is_staff:
        return error_response(403, "only staff can publish")
    try:
        article = await sync_to_async(publish_article)(slug=slug, published_by=user)
    except Article.DoesNotExist:
        return error_response(404, f"no article with slug {slug!r}")
    except AlreadyPublished:
        return error_response(409, f"article {slug!r} is already published")
    return JsonResponse({"slug": article.slug, "status": article.status})


urlpatterns = [path("articles/<slug:slug>/publish/", publish)]
