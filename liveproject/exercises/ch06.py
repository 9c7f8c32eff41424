"""Exercise checks for chapters/06-sync-islands.ipynb (how they work: liveproject.exercises)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from liveproject.exercises.common import NotYet, judge

if TYPE_CHECKING:
    import threading
    from collections.abc import Awaitable, Callable

    from django.dispatch import Signal


async def check_06_publish_all(publish_all: Callable[..., object]) -> None:
    """Exercise 06.1: publish_all(*, slugs, published_by) publishes every slug or, if one fails, none.

    The check picks two drafts and one published article from the database the kernel uses, so it can run
    again: each correct run publishes two more drafts.
    """
    from asgiref.sync import sync_to_async
    from django.contrib.auth import get_user_model

    from articles.models import Article
    from articles.services import ArticleAlreadyPublished

    hint = (
        "Open one transaction.atomic() around the whole loop and call article_publish for each slug inside it; "
        "run the function with await sync_to_async(publish_all)(...)."
    )
    editor = await get_user_model().objects.aget(username="editor")
    drafts = [
        slug
        async for slug in Article.objects.filter(status="draft").order_by("slug").values_list("slug", flat=True)[:2]
    ]
    published = await Article.objects.published().order_by("slug").values_list("slug", flat=True).afirst()
    if len(drafts) < 2:
        raise NotYet("Exercise 06.1: fewer than two drafts are left; start a fresh server (its database is new).")

    async def statuses():
        rows = Article.objects.filter(slug__in=drafts).order_by("slug").values_list("status", flat=True)
        return [status async for status in rows]

    try:
        await sync_to_async(publish_all)(slugs=[drafts[0], published, drafts[1]], published_by=editor)
    except ArticleAlreadyPublished:
        pass
    except Exception as exc:  # noqa: BLE001 - any other failure is the student's to see, as a hint
        raise NotYet(f"Exercise 06.1: not yet. It raised {type(exc).__name__}: {exc}. {hint}") from exc
    else:
        raise NotYet(f"Exercise 06.1: not yet. Publishing {published!r} again must raise ArticleAlreadyPublished.")
    if await statuses() != ["draft", "draft"]:
        raise NotYet(
            f"Exercise 06.1: not yet. {drafts[0]} was published although {published} failed later in the same "
            f"call: the failure must undo the whole call. {hint}"
        )
    await sync_to_async(publish_all)(slugs=drafts, published_by=editor)
    transitions = await Article.objects.filter(slug__in=drafts, transitions__isnull=False).acount()
    judge("Exercise 06.1", await statuses() == ["published", "published"] and transitions == 2, hint)


async def check_06_handshake(handshake: Callable[[threading.Event], Awaitable[object]]) -> None:
    """Exercise 06.2: `await handshake(ready)` returns True soon after a database read sets `ready`."""
    import threading
    import time

    ready = threading.Event()
    started = time.perf_counter()
    try:
        async with asyncio.timeout(5):
            answer = await handshake(ready)
    except TimeoutError:
        answer = "still waiting after 5 s"
    elapsed = time.perf_counter() - started
    judge(
        "Exercise 06.2",
        answer is True and ready.is_set() and elapsed < 0.5,
        f"It returned {answer!r} after {elapsed:.1f} s. The wait blocks the one thread the ORM needs to set "
        "the flag: run the blocking wait with sync_to_async(..., thread_sensitive=False), or asyncio.to_thread.",
    )


async def check_06_notify(notify: Callable[[Signal, str], Awaitable[object]]) -> None:
    """Exercise 06.3: `await notify(signal, slug)` sends `signal` with slug=slug and returns the responses."""
    import threading

    from django.dispatch import Signal

    signal = Signal()
    calls = []

    def on_sync(sender: object, slug: str, **kwargs: object) -> str:
        calls.append(("sync", slug, threading.current_thread() is threading.main_thread()))
        return "sync receiver"

    async def on_async(sender: object, slug: str, **kwargs: object) -> str:
        calls.append(("async", slug, threading.current_thread() is threading.main_thread()))
        return "async receiver"

    signal.connect(on_sync, weak=False)
    signal.connect(on_async, weak=False)
    try:
        responses = await notify(signal, "article-07")
    except RuntimeError as exc:
        responses = exc
    ok = (
        isinstance(responses, list)
        and [response for _, response in responses] == ["sync receiver", "async receiver"]
        and sorted(calls) == [("async", "article-07", True), ("sync", "article-07", False)]
    )
    judge(
        "Exercise 06.3",
        ok,
        f"Got {responses!r}. From async code, await signal.asend(sender=..., slug=slug): send() would have to "
        "run the async receiver with async_to_sync inside the running loop, which asgiref refuses.",
    )
