"""Exercise checks for chapters/13-django-6.ipynb (how they work: liveproject.exercises).

The check runs your function on Django 5.2 and on 6.x, each in a process of its own with its own seeded database
(liveproject.versions), for a page it picks at random, and compares what it returned with the page the check
reads itself on the same version. Nothing your function says about itself is taken on trust."""

from __future__ import annotations

import random
from collections.abc import Callable

from liveproject.exercises.common import judge

PER_PAGE = 10


def _published_titles_newest_first() -> list:
    """The check's own reading: every published article's title, newest publication first (a sync function)."""
    from articles.models import Article

    return list(Article.objects.published().order_by("-published_at").values_list("title", flat=True))


def check_13_titles_on_page(titles_on_page: Callable[..., object]) -> None:
    """Exercise 13.1: `async def titles_on_page(number)` returns the titles on page `number` (10 a page) of the
    published articles, newest first: on Django 6.x with AsyncPaginator, on 5.2 without it (it has none)."""
    from liveproject.versions import run_on, versions

    hint = ""
    for version in versions():
        every = run_on(version, _published_titles_newest_first)
        assert isinstance(every, list)
        pages = (len(every) + PER_PAGE - 1) // PER_PAGE
        number = random.randint(2, pages)  # not page 1: an answer that ignores `number` must fail
        want = every[(number - 1) * PER_PAGE : number * PER_PAGE]
        got = run_on(version, titles_on_page, number, catch=True)
        if isinstance(got, dict) and "raised" in got:
            raised, message = got["raised"], got["message"]
            if raised in ("AttributeError", "ImportError") and "AsyncPaginator" in message:
                hint = f"On Django {version} it raised {raised}: {message}. Django 5.2 has no AsyncPaginator: "
                hint += "ask `hasattr(django.core.paginator, 'AsyncPaginator')` and take the 5.2 way there."
            elif raised == "SynchronousOnlyOperation":
                hint = f"On Django {version} a query ran on the event loop ({raised}): the sync Paginator queries "
                hint += "when it counts and when you read a page; in async code hand it to sync_to_async, whole."
            else:
                hint = f"On Django {version} it raised {raised}: {message}"
            break
        if got != want:
            if isinstance(got, list) and sorted(map(str, got)) == sorted(want):
                hint = f"On Django {version}, page {number} has the right titles in the wrong order: newest first."
            elif isinstance(got, list) and got and set(map(str, got)) <= set(every):
                hint = f"On Django {version}, page {number} returned other titles than that page's: "
                hint += "10 a page, newest publication first, published articles only."
            else:
                hint = f"On Django {version}, page {number} should be a list of {len(want)} titles, not {got!r:.200}."
            break
    judge("Exercise 13.1", not hint, hint)
