"""Exercise checks for chapters/04-async-orm.ipynb (how they work: liveproject.exercises)."""

from __future__ import annotations

import inspect

from liveproject.exercises.common import judge

CANDIDATE_QUERYSET_METHODS = ["aall", "acount", "avalues_list", "aaggregate", "aget_or_create", "afilter", "ain_bulk"]


def check_04_existing_methods(names: object) -> None:
    """Exercise 04.1: which of CANDIDATE_QUERYSET_METHODS exist on Django's QuerySet."""
    from asgiref.sync import iscoroutinefunction
    from django.db.models import QuerySet

    truth = {name for name in CANDIDATE_QUERYSET_METHODS if iscoroutinefunction(getattr(QuerySet, name, None))}
    judge(
        "Exercise 04.1",
        isinstance(names, set | list | tuple) and set(names) == truth,
        "Only methods that run a query have an a-version; methods that build a queryset (filter, all, "
        "values_list) return a lazy queryset and need none. Check with hasattr(QuerySet, name).",
    )


def check_04_article_with_author(article: object) -> None:
    """Exercise 04.2: article-05, loaded with one async ORM call so that article.author needs no query."""
    from articles.management.commands.seed_articles import AUTHORS
    from articles.models import Article

    judge(
        "Exercise 04.2",
        isinstance(article, Article)
        and article.slug == "article-05"
        and Article.author.is_cached(article)
        and article.author.username == AUTHORS[(5 - 1) % len(AUTHORS)],  # the seed's rule for article 5
        "Use select_related('author') in the same query: await Article.objects.select_related('author').aget(...).",
    )


async def check_04_drafts_per_author(count_drafts: object) -> None:
    """Exercise 04.3: `count_drafts` is your async function, with no arguments, that returns {username: number of
    drafts} for every author of a draft and crosses the sync/async boundary once. Use the check with await.

    The check calls your function itself and counts the crossings (liveproject.kernel.counting_crossings) while
    it awaits the result, so both the answer and the single crossing are measured, not reported.
    """
    from django.core.exceptions import SynchronousOnlyOperation
    from django.db.models import Count

    from articles.models import Article
    from liveproject.kernel import counting_crossings

    rows = Article.objects.filter(status=Article.Status.DRAFT).values("author__username").annotate(n=Count("id"))
    truth = {row["author__username"]: row["n"] async for row in rows}  # before counting: not the student's hops
    if inspect.iscoroutine(count_drafts):
        count_drafts.close()  # called already: its crossings could no longer be counted
    with counting_crossings() as crossings:  # the call itself too: sync_to_async(f)() hands f over when called
        try:
            awaitable = count_drafts() if callable(count_drafts) else None
        except SynchronousOnlyOperation:  # a sync function that queried the database right here, in async code
            awaitable = None
        if inspect.isawaitable(awaitable):
            counts = await awaitable
    if not inspect.isawaitable(awaitable):
        judge(
            "Exercise 04.3",
            False,
            "Pass your async function itself (no arguments, and not called: the check calls it, awaits it and "
            "counts its crossings). sync_to_async(your_sync_function) is such a function.",
        )
    if counts != truth:
        hint = (
            "Count drafts grouped by author, for every author who has drafts; one sync function with the queries, "
            "run through one sync_to_async, or one aggregate query with the async ORM."
        )
    else:
        hint = (
            f"The counts are right, but your function crossed the sync/async boundary {len(crossings)} times "
            f"({', '.join(crossings) or 'never'}). Put all the queries in one sync function and await it through "
            "one sync_to_async, or ask one aggregate query with the async ORM."
        )
    judge("Exercise 04.3", counts == truth and len(crossings) == 1, hint)
