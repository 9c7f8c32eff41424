"""Exercise checks for chapters/13-django-6.ipynb (how they work: liveproject.exercises).

The check runs your function on Django 5.2 and on 6.x, each in a process of its own with its own seeded database
(liveproject.versions), for every page, and compares what it returned with the page the check reads itself on the
same version. Before each run it rearranges the articles so that a near-miss shows: the newest publication date
belongs to an old article (ordering by id is not ordering by date), a draft carries a date (only published articles
count), and 39 are published (the last page is not full). On Django 6.x it also takes the sync Paginator's page()
and get_page() away, so that the 5.2 way (the sync paginator on a thread) fails there: the exercise asks for
AsyncPaginator on 6.x. Nothing your function says about itself is taken on trust."""

from __future__ import annotations

import inspect
from collections.abc import Callable

from liveproject.exercises.common import judge

PER_PAGE = 10


def _arrange_articles() -> None:
    """Run before every call, in its process: the data that tells a right page from a near-miss (see the module)."""
    from datetime import timedelta

    from articles.models import Article

    published = Article.objects.published().order_by("published_at")
    newest = published.last()
    first, second = published[0], published[1]
    first.status = Article.Status.DRAFT  # withdrawn: 39 published, so the last page holds 9
    first.save(update_fields=["status"])
    second.published_at = newest.published_at + timedelta(days=2)  # an old article, published again: now the newest
    second.save(update_fields=["published_at"])
    draft = Article.objects.filter(status=Article.Status.DRAFT, published_at__isnull=True).order_by("pk").first()
    draft.published_at = newest.published_at + timedelta(days=1)  # a draft with a date: not on any page
    draft.save(update_fields=["published_at"])

    import django

    if django.VERSION >= (6, 0):  # the 5.2 way must not pass on 6.x: its sync Paginator is taken away
        from django.core import paginator

        def refused(self: object, number: object) -> None:
            raise RuntimeError(f"the sync Paginator's page {number} was read on Django {django.get_version()}")

        paginator.Paginator.page = refused
        paginator.Paginator.get_page = refused


def _published_titles_newest_first() -> list:
    """The check's own reading: every published article's title, newest publication first (a sync function)."""
    from articles.models import Article

    return list(Article.objects.published().order_by("-published_at").values_list("title", flat=True))


def _hint_for(version: str, number: int, raised: str, message: str) -> str:
    if raised in ("AttributeError", "ImportError") and "AsyncPaginator" in message:
        return (
            f"On Django {version} it raised {raised}: {message}. Django 5.2 has no AsyncPaginator: ask "
            "`hasattr(django.core.paginator, 'AsyncPaginator')` and take the 5.2 way there."
        )
    if raised == "RuntimeError" and "sync Paginator" in message:
        return (
            f"On Django {version} your function paged with the sync Paginator (the 5.2 way): on 6.x page with "
            "AsyncPaginator and `await page.aget_object_list()`, and keep the sync paginator for 5.2."
        )
    if raised == "SynchronousOnlyOperation":
        return (
            f"On Django {version} a query ran on the event loop ({raised}): the sync Paginator queries when it counts "
            "and when you read a page; in async code hand it to sync_to_async, whole."
        )
    if raised == "NameError":
        return (
            f"On Django {version}, page {number}: {raised}: {message}. Only your function's source travels to the "
            "other process: import what it uses inside it, and call no helper defined in another cell."
        )
    return f"On Django {version}, page {number}, it raised {raised}: {message}"


def check_13_titles_on_page(titles_on_page: Callable[..., object]) -> None:
    """Exercise 13.1: `async def titles_on_page(number)` returns the titles on page `number` (10 a page) of the
    published articles, newest first: on Django 6.x with AsyncPaginator, on 5.2 without it (it has none)."""
    from liveproject.versions import run_on, versions

    if not inspect.iscoroutinefunction(titles_on_page):
        judge(
            "Exercise 13.1",
            False,
            "Write `async def titles_on_page(number)`: an async function, called from async code.",
        )
    hint = ""
    for version in versions():
        every = run_on(version, _published_titles_newest_first, before=_arrange_articles)
        assert isinstance(every, list)
        pages = (len(every) + PER_PAGE - 1) // PER_PAGE
        for number in range(1, pages + 1):
            want = every[(number - 1) * PER_PAGE : number * PER_PAGE]
            try:
                got = run_on(version, titles_on_page, number, catch=True, before=_arrange_articles)
            except ValueError as error:  # not a plain function: its source cannot travel
                judge("Exercise 13.1", False, f"{error}: write it as `async def` at the top of a cell.")
            if isinstance(got, dict) and "raised" in got:
                hint = _hint_for(version, number, got["raised"], got["message"])
            elif got != want and isinstance(got, list) and sorted(map(str, got)) == sorted(want):
                hint = f"On Django {version}, page {number} has the right titles in the wrong order: newest first."
            elif got != want and isinstance(got, list):
                hint = (
                    f"On Django {version}, page {number} returned other titles than that page's ({len(got)} titles, "
                    f"{len(want)} expected): 10 a page, published articles only, newest publication date first."
                )
            elif got != want:
                hint = f"On Django {version}, page {number} should be a list of {len(want)} titles, not {got!r:.200}."
            if hint:
                break
        if hint:
            break
    judge("Exercise 13.1", not hint, hint)
