"""Exercise checks for chapters/10-myths-vs-measurements.ipynb (how they work: liveproject.exercises)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from liveproject.exercises.common import judge

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from pathlib import Path
    from typing import Any


def check_10_existing(answer: object) -> None:
    """Exercise 10.1: {name: whether django.db.models.QuerySet has it} for the six names of the exercise."""
    from django.db.models import QuerySet

    names = ["avalues", "avalues_list", "aiterator", "ain_bulk", "acontains", "aexplain"]
    judge(
        "Exercise 10.1",
        answer == {name: hasattr(QuerySet, name) for name in names},
        "Ask the installed version, not memory: hasattr(QuerySet, name) for each of the six names.",
    )


CLAIMS_10_2 = (
    "async for fetches one row per query",
    "request.auser(), asked before alogin(), returns the new user after it",
    "sync_to_async(thread_sensitive=False) can run ORM queries in parallel",
)


async def measure_10_2() -> dict[str, str]:
    """Run the three experiments of exercise 10.2 on the notebook's Django and return each claim's verdict."""
    import time

    from asgiref.sync import sync_to_async
    from django.contrib.auth import alogin, get_user_model
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import AsyncRequestFactory

    from articles.models import Article
    from liveproject.experiments import count_queries
    from pages.views.database import slow_query_on_own_connection

    async def read_twenty():
        return [article async for article in Article.objects.all()[:20]]

    rows, queries = await count_queries(read_twenty)

    request = AsyncRequestFactory().get("/")
    request.session = SessionStore()
    AuthenticationMiddleware(lambda request: None).process_request(request)
    await request.auser()  # asked once before the login, as a view or middleware would
    user = await get_user_model().objects.aget(username="ada")
    await alogin(request, user)
    after = await request.auser()

    async def four_slow_queries(thread_sensitive: bool) -> float:
        started = time.perf_counter()
        run = sync_to_async(slow_query_on_own_connection, thread_sensitive=thread_sensitive)
        await asyncio.gather(*(run(0.1) for _ in range(4)))
        return time.perf_counter() - started

    one_thread, own_threads = await four_slow_queries(True), await four_slow_queries(False)
    held = [len(rows) > 1 and queries >= len(rows), after == user, own_threads < 0.75 * one_thread]
    return {claim: "TRUE" if holds else "FALSE" for claim, holds in zip(CLAIMS_10_2, held, strict=True)}


async def check_10_verdicts(answer: object) -> None:
    """Exercise 10.2: "TRUE" or "FALSE" for each claim of CLAIMS_10_2. The check runs the three experiments
    itself (measure_10_2) and compares; use it with await."""
    truth = await measure_10_2()
    wrong = sorted(claim for claim in CLAIMS_10_2 if not isinstance(answer, dict) or answer.get(claim) != truth[claim])
    judge(
        "Exercise 10.2",
        isinstance(answer, dict) and answer == truth,
        f"{len(wrong)} of 3 verdicts differ from what the check measured. Count the queries of an async for "
        "(liveproject.experiments.count_queries), call request.auser() before and after alogin() on one request, "
        "and time four slow queries through sync_to_async(thread_sensitive=False) against the same four on one "
        "thread.",
    )


_watched_open: dict[str, Any] = {"path": None, "on_main_thread": []}


def _record_open(event: str, args: tuple[object, ...]) -> None:
    # An audit hook sees every open(), whatever name the caller used for it (IPython gives notebooks a
    # wrapped `open` of its own, so patching builtins.open would miss calls from a cell).
    if event == "open" and _watched_open["path"] is not None and args and str(args[0]) == _watched_open["path"]:
        import threading

        _watched_open["on_main_thread"].append(threading.current_thread() is threading.main_thread())


async def check_10_read_without_blocking(read_config: Callable[[Path], Awaitable[object]]) -> None:
    """Exercise 10.3: `await read_config(path)` returns the file's text and never calls open() on the loop."""
    import sys
    import tempfile
    from pathlib import Path

    if not getattr(_record_open, "installed", False):
        sys.addaudithook(_record_open)  # audit hooks cannot be removed; this one only acts while watching
        _record_open.installed = True  # type: ignore[attr-defined]  # a mark on the function itself
    path = Path(tempfile.mkdtemp()) / "config.json"
    path.write_text('{"debug": false}')
    _watched_open.update(path=str(path), on_main_thread=[])
    try:
        text = await read_config(path)
    except Exception as exc:  # noqa: BLE001 - shown to the student as a hint
        text = f"{type(exc).__name__}: {exc}"
    finally:
        callers = list(_watched_open["on_main_thread"])
        _watched_open.update(path=None, on_main_thread=[])
        path.unlink()
        path.parent.rmdir()
    judge(
        "Exercise 10.3",
        text == '{"debug": false}' and callers == [False],
        f"It returned {text!r}; open() was called {len(callers)} time(s), on the event loop's thread: "
        f"{any(callers)}. Put open, read and close in one sync function and await asyncio.to_thread(...) on it.",
    )
