"""Exercise checks for chapters/13-django-6.ipynb (how they work: liveproject.exercises).

The check runs your function on Django 5.2 and on 6.x, each in a process of its own with its own seeded database
(liveproject.versions): for the first, second and last page, and for the page past the last (an error, EmptyPage,
as the paginators' page() and apage() raise), and compares what it returned with the page the check reads itself on
the same version. Before each run it rearranges the articles so that a near-miss shows: the newest publication date
belongs to an old article (ordering by id is not ordering by date), a draft carries a date (only published articles
count), and 41 are published (the last page holds one: orphans would swallow it). It also watches how the page is
read: on 5.2 the sync Paginator's page() must run on the thread sync_to_async keeps for the request's sync code
(not on the event loop, not on a pool thread); on 6.x the sync Paginator refuses to be made, and the check counts
the pages AsyncPaginator read, so a page read any other way does not pass; on both it counts the queries that read
articles without a LIMIT (every published article read, to return ten). Nothing your function says about itself is
taken on trust."""

from __future__ import annotations

import inspect
from collections.abc import Callable

from liveproject.exercises.common import judge

PER_PAGE = 10


def _arrange_articles() -> None:
    """Run before every call, in its process: the data that tells a right page from a near-miss, and the watch on how
    the page is read (see the module). A function of its own: only its source travels to that process."""
    from datetime import timedelta

    import django
    from django.core import paginator

    from articles.models import Article

    published = Article.objects.published().order_by("published_at")
    oldest, newest, second = published.first(), published.last(), published[1]
    second.published_at = newest.published_at + timedelta(days=2)  # an old article, published again: now the newest
    second.save(update_fields=["published_at"])
    dateless = Article.objects.filter(status=Article.Status.DRAFT, published_at__isnull=True).order_by("pk")
    draft, extra = dateless[0], dateless[1]
    draft.published_at = newest.published_at + timedelta(days=1)  # a draft with a date: not on any page
    draft.save(update_fields=["published_at"])
    extra.status, extra.published_at = Article.Status.PUBLISHED, oldest.published_at - timedelta(days=1)
    extra.save(update_fields=["status", "published_at"])  # 41 published: the last page holds the oldest alone

    if django.VERSION >= (6, 0):
        # The 5.2 way must not pass on 6.x: the sync Paginator refuses to be made, and AsyncPaginator counts its pages.
        def refused(self: object, *args: object, **kwargs: object) -> None:
            raise RuntimeError(f"the sync Paginator was made on Django {django.get_version()}")

        paginator.Paginator.__init__ = refused
        apage = paginator.AsyncPaginator.apage

        async def counted(self: paginator.AsyncPaginator, number: object) -> object:
            paginator.AsyncPaginator.course_pages_read = getattr(paginator.AsyncPaginator, "course_pages_read", 0) + 1
            return await apage(self, number)

        paginator.AsyncPaginator.apage = counted
    else:
        # 5.2: page() belongs on the thread sync_to_async runs sync code on by default, not on the event loop (where
        # DJANGO_ALLOW_ASYNC_UNSAFE would hide the mistake) nor on a pool thread (to_thread, thread_sensitive=False).
        import asyncio

        from asgiref.sync import SyncToAsync

        page = paginator.Paginator.page

        def on_the_right_thread(self: paginator.Paginator, number: object) -> object:
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                pass
            else:
                raise RuntimeError("the sync Paginator's page() ran on the event loop")
            if not SyncToAsync.deadlock_context.get(False):  # set where sync_to_async's own thread runs the call
                raise RuntimeError("the sync Paginator's page() ran on a pool thread, not sync_to_async's own thread")
            return page(self, number)

        paginator.Paginator.page = on_the_right_thread

    # On both: the articles read without a LIMIT. A page is one slice of the table; reading every published
    # article and paging the list in memory returns the right titles and costs the whole table.
    from django.db.backends import utils

    execute = utils.CursorWrapper._execute

    def recorded(self: utils.CursorWrapper, sql: str, *args: object) -> object:
        query = sql.upper()
        reads_articles = query.lstrip().startswith("SELECT") and "ARTICLES_ARTICLE" in query
        if reads_articles and " LIMIT " not in query and "COUNT(" not in query:
            so_far = getattr(utils.CursorWrapper, "course_unlimited_reads", 0)
            utils.CursorWrapper.course_unlimited_reads = so_far + 1
        return execute(self, sql, *args)

    utils.CursorWrapper._execute = recorded


def _how_the_page_was_read() -> dict:
    """Run after every call, in its process: how many pages AsyncPaginator read (None on 5.2, which has none), and
    how many queries read articles without a LIMIT."""
    from django.core import paginator
    from django.db.backends import utils

    pages = getattr(paginator.AsyncPaginator, "course_pages_read", 0) if hasattr(paginator, "AsyncPaginator") else None
    return {"async_pages": pages, "unlimited_reads": getattr(utils.CursorWrapper, "course_unlimited_reads", 0)}


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
    if raised == "RuntimeError" and "sync Paginator was made" in message:
        return (
            f"On Django {version} your function paged with the sync Paginator (the 5.2 way): on 6.x page with "
            "AsyncPaginator and `await page.aget_object_list()`, and keep the sync paginator for 5.2."
        )
    if raised == "SynchronousOnlyOperation" or "ran on the event loop" in message:
        return (
            f"On Django {version} a query ran on the event loop: the sync Paginator queries when it counts and when "
            "you read a page, and a query on the loop holds up every other request (DJANGO_ALLOW_ASYNC_UNSAFE only "
            "hides the error); in async code hand the paginator to sync_to_async, whole."
        )
    if "pool thread" in message:
        return (
            f"On Django {version} the page was read on a pool thread (asyncio.to_thread, or sync_to_async with "
            "thread_sensitive=False): Django's sync code belongs on the thread sync_to_async uses by default "
            "(thread_sensitive=True, chapter 06)."
        )
    if raised == "NameError":
        return (
            f"On Django {version}, page {number}: {raised}: {message}. Only your function's source travels to the "
            "other process: import what it uses inside it, and call no helper defined in another cell."
        )
    return f"On Django {version}, page {number}, it raised {raised}: {message}"


def _hint_for_page(version: str, number: int, got: object, want: list, read: dict) -> str:
    """What is wrong with page `number` (`got`: what the function returned, `want`: the page's titles, or [] past
    the last page), or "" when it is right. `read`: how the page was read (_how_the_page_was_read)."""
    if isinstance(got, dict) and "raised" in got:
        if not want and got["raised"] == "EmptyPage":
            return ""  # past the last page: the error page() and apage() raise
        if got["raised"] == "EmptyPage":
            return (
                f"On Django {version}, page {number} raised EmptyPage, and the published articles reach that page: "
                "10 a page, the last one as short as it comes (no orphans), published articles only."
            )
        return _hint_for(version, number, got["raised"], got["message"])
    if not want:
        return (
            f"On Django {version}, page {number} is past the last page and returned {got!r:.100}: a page past the "
            "last is an error (EmptyPage), as page() and apage() raise; get_page() and aget_page() hand back the "
            "last page instead."
        )
    if got != want and isinstance(got, list) and sorted(map(str, got)) == sorted(want):
        return f"On Django {version}, page {number} has the right titles in the wrong order: newest first."
    if got != want and isinstance(got, list):
        return (
            f"On Django {version}, page {number} returned other titles than that page's ({len(got)} titles, "
            f"{len(want)} expected): 10 a page, published articles only, newest publication date first."
        )
    if got != want:
        return f"On Django {version}, page {number} should be a list of {len(want)} titles, not {got!r:.200}."
    if read["async_pages"] == 0:
        return (
            f"On Django {version}, page {number} has the right titles, but AsyncPaginator did not read it: on 6.x "
            "page with `await AsyncPaginator(...).apage(number)`, which is what the exercise is about."
        )
    if read["unlimited_reads"]:
        return (
            f"On Django {version}, page {number} has the right titles, but your function read every published "
            "article (a query without LIMIT) to return 10 of them: give the paginator the queryset, not a list, so "
            "that the database returns one page."
        )
    return ""


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
        last = (len(every) + PER_PAGE - 1) // PER_PAGE
        for number in (1, 2, last, last + 1):  # the last holds one title; the one after it is an error
            want = every[(number - 1) * PER_PAGE : number * PER_PAGE]
            try:
                ran = run_on(
                    version, titles_on_page, number, catch=True, before=_arrange_articles, after=_how_the_page_was_read
                )
            except ValueError as error:  # not a plain function: its source cannot travel
                judge("Exercise 13.1", False, f"{error}: write it as `async def` at the top of a cell.")
            assert isinstance(ran, tuple)
            got, read = ran
            hint = _hint_for_page(version, number, got, want, read)
            if hint:
                break
        if hint:
            break
    judge("Exercise 13.1", not hint, hint)
