"""Writes to articles. Each service is a plain sync function that owns its transaction.

Async views call them through `sync_to_async`: the "sync island" pattern. Transactions do not work in
async code in Django 5.2, so the whole read-check-write sequence lives here, on one thread, inside one
`transaction.atomic()` block.
"""

import time

from django.db import transaction
from django.utils import timezone

from articles.models import Article, ArticleTransition


class ArticleAlreadyPublished(Exception):
    pass


def article_publish(*, slug: str, published_by, work_seconds: float = 0.0) -> Article:
    """Publish the draft `slug`. Raises Article.DoesNotExist or ArticleAlreadyPublished.

    `work_seconds` stands for what real code does between the check and the write (validation, rendering a
    notification). Chapter 06 sets it to widen the window in which concurrent publishes could collide.
    """
    with transaction.atomic():
        # select_for_update locks the row until the transaction ends: a concurrent publish of the same
        # article waits here, then sees the new status and stops. (SQLite has no row locks; there
        # BEGIN IMMEDIATE, set in settings, serializes whole write transactions instead.)
        article = Article.objects.select_for_update().get(slug=slug)
        if article.status == Article.Status.PUBLISHED:
            raise ArticleAlreadyPublished(slug)
        time.sleep(work_seconds)
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


# A teaching twin of article_publish, repeated on purpose: the same steps without the row lock, so chapter 06
# can race the two and show the lost update.
def article_publish_without_lock(*, slug: str, published_by, work_seconds: float = 0.0) -> Article:
    """MISTAKE, kept for chapter 06: article_publish without select_for_update.

    Still one transaction, but nothing stops two of them from reading the same draft: each sees "draft",
    each writes "published", each records a transition, and the later write silently replaces the earlier
    one (a lost update).
    """
    with transaction.atomic():
        article = Article.objects.get(slug=slug)
        if article.status == Article.Status.PUBLISHED:
            raise ArticleAlreadyPublished(slug)
        time.sleep(work_seconds)
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
