"""Writes to articles. Each service is a plain sync function that owns its transaction.

Async views call them through `sync_to_async`: the "sync island" pattern. Transactions do not work in
async code in Django 5.2, so the whole read-check-write sequence lives here, on one thread, inside one
`transaction.atomic()` block.
"""

from django.db import transaction
from django.utils import timezone

from articles.models import Article, ArticleTransition


class ArticleAlreadyPublished(Exception):
    pass


def article_publish(*, slug: str, published_by) -> Article:
    """Publish the draft `slug`. Raises Article.DoesNotExist or ArticleAlreadyPublished."""
    with transaction.atomic():
        # select_for_update locks the row until the transaction ends: a concurrent publish of the same
        # article waits here, then sees the new status and stops. (SQLite has no row locks; there
        # BEGIN IMMEDIATE, set in settings, serializes whole write transactions instead.)
        article = Article.objects.select_for_update().get(slug=slug)
        if article.status == Article.Status.PUBLISHED:
            raise ArticleAlreadyPublished(slug)
        article.status = Article.Status.PUBLISHED
        article.published_at = timezone.now()
        article.save(update_fields=["status", "published_at"])
        ArticleTransition.objects.create(
            article=article,
            from_status=Article.Status.DRAFT,
            to_status=Article.Status.PUBLISHED,
            changed_by=published_by,
        )
    return article
