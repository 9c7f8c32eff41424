"""Reads of the articles app: the querysets its views start from (writes go through services.py).

Named <entity>_<action>, like the services, with keyword-only arguments. Each function returns a lazy queryset:
the view decides how to run it (async for, acount, a slice), so the same selector serves async views, sync views
and templates. Their order is Article.Meta.ordering (newest publication first) unless a function says otherwise.
"""

from django.db.models import Count, QuerySet

from articles.models import Article


def article_list_published() -> QuerySet[Article]:
    """Published articles, newest publication first, each with its author loaded (one query, no lazy loads)."""
    return Article.objects.published().select_related("author")


def article_list_drafts(*, user) -> QuerySet[Article]:
    """Drafts `user` may see, by slug: staff see every draft, anyone else only their own."""
    drafts = Article.objects.filter(status=Article.Status.DRAFT).order_by("slug")
    return drafts if user.is_staff else drafts.filter(author=user)


def article_list_with_transition_count() -> QuerySet[Article]:
    """Every article, its author loaded and `transition_count` annotated: what a detail view shows, in one query."""
    return Article.objects.select_related("author").annotate(transition_count=Count("transitions"))
