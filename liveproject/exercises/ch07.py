"""Exercise checks for chapters/07-cancellation-and-streaming.ipynb (how they work: liveproject.exercises)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from liveproject.exercises.common import judge

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from liveproject.server import LiveServer


def check_07_first_event(seconds: object) -> None:
    """Exercise 07.1: when the first of 5 events (0.2 s apart) from the sync stream reaches a uvicorn client."""
    judge(
        "Exercise 07.1",
        isinstance(seconds, int | float) and 0.75 <= seconds <= 0.85,
        "Under ASGI Django reads a sync iterator to the end before it sends anything: how long does producing "
        "five events with 0.2 s between them take?",
    )


async def check_07_cleanup(guarded_wait: Callable[[float, list[str]], Awaitable[object]]) -> None:
    """Exercise 07.2: `await guarded_wait(seconds, log)` sleeps, appends "cleanup" to `log` however it ends,
    and lets a cancellation through."""
    import time

    log: list[str]
    log, started, outcome = [], time.perf_counter(), "returned normally"
    try:
        async with asyncio.timeout(0.05):
            await guarded_wait(1.0, log)
    except TimeoutError:
        outcome = "timed out"
    except Exception as exc:  # noqa: BLE001 - shown to the student as a hint
        outcome = f"raised {type(exc).__name__}"
    elapsed = time.perf_counter() - started
    judge(
        "Exercise 07.2",
        outcome == "timed out" and log == ["cleanup"] and elapsed < 0.5,
        f"Under a 0.05 s timeout it {outcome} after {elapsed:.2f} s with log={log!r}. Put the cleanup in "
        "`finally`, and if you catch asyncio.CancelledError, re-raise it: asyncio.timeout turns the "
        "cancellation into TimeoutError only if it comes back out.",
    )


def check_07_first_events(read_first: Callable[[str, int], object], server: LiveServer) -> None:
    """Exercise 07.3: read_first(url, n) reads the first n events of an SSE stream as they arrive, returns
    their `data` as dicts, and hangs up."""
    import time

    before = len(server.log_lines("disconnected after"))
    started = time.perf_counter()
    try:
        events = read_first(f"{server.url}/stream/events/?count=100&interval=0.05", 3)
    except Exception as exc:  # noqa: BLE001 - shown to the student as a hint
        events = f"{type(exc).__name__}: {exc}"
    elapsed = time.perf_counter() - started
    hung_up = False
    deadline = time.monotonic() + 3
    while not hung_up and time.monotonic() < deadline:
        hung_up = len(server.log_lines("disconnected after")) > before
        time.sleep(0.02)
    judge(
        "Exercise 07.3",
        events == [{"n": 0}, {"n": 1}, {"n": 2}] and elapsed < 2.5 and hung_up,
        f"Got {events!r} after {elapsed:.1f} s (the whole stream takes 5 s); the server saw a disconnect: "
        f"{hung_up}. Use client.stream('GET', url) and iter_lines(), json.loads the text after 'data: ', and "
        "leave the `with` block after the n-th event.",
    )
