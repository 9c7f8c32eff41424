"""Exercise checks for chapters/02-async-function-views.ipynb (how they work: liveproject.exercises)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from liveproject.exercises.common import judge

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Coroutine
    from typing import Any


def check_02_fan_out_prediction(seconds: object) -> None:
    """Exercise 02.1: predicted duration of /fan-out/ with six 0.3 s calls and concurrency=2."""
    calls, concurrency, delay = 6, 2, 0.3
    expected = -(-calls // concurrency) * delay
    ok = isinstance(seconds, int | float) and abs(seconds - expected) < 0.01
    judge(
        "Exercise 02.1",
        ok,
        "The semaphore lets `concurrency` calls run at once; the others wait for a free slot. Count the rounds.",
    )


def check_02_partial_failure(data: object) -> None:
    """Exercise 02.2: the JSON of a /fan-out/ answer in which one call timed out and one failed."""
    ok = False
    if isinstance(data, dict) and isinstance(data.get("calls"), list) and isinstance(data.get("summary"), dict):
        outcomes = [call.get("outcome") for call in data["calls"]]
        ok = (
            outcomes.count("timeout") == 1
            and outcomes.count("error") == 1
            and outcomes.count("ok") >= 1
            and data["summary"] == {"ok": outcomes.count("ok"), "error": 1, "timeout": 1}
        )
    judge(
        "Exercise 02.2",
        ok,
        "Give one call a delay longer than `timeout`, one call a failing status (e.g. 503) in `statuses`, and "
        "at least one call that succeeds; pass response.json().",
    )


async def check_02_settle(settle: Callable[[list[Coroutine[Any, Any, object]]], Awaitable[object]]) -> None:
    """Exercise 02.3: `settle(coroutines)` returns each result or exception, in order, running them concurrently
    and without cancelling the others when one fails. Use it as `await check_02_settle(settle)`."""
    import asyncio
    import time

    async def value_after(value: int, delay: float) -> int:
        await asyncio.sleep(delay)
        return value

    async def failure_after(delay: float) -> None:
        await asyncio.sleep(delay)
        raise ValueError("this one fails")

    started = time.perf_counter()
    try:
        results = await settle([value_after(1, 0.1), failure_after(0.1), value_after(3, 0.2)])
    except BaseException as exc:  # an exception escaping settle() is the wrong answer, reported as a hint
        results = exc
    elapsed = time.perf_counter() - started
    ok = (
        isinstance(results, list | tuple)
        and len(results) == 3
        and results[0] == 1
        and isinstance(results[1], ValueError)
        and results[2] == 3
        and 0.19 <= elapsed < 0.3  # the slowest call alone (0.2 s), not the sum of all three (0.4 s)
    )
    judge(
        "Exercise 02.3",
        ok,
        "Run the coroutines concurrently and keep going when one fails: asyncio.gather(*coroutines, "
        "return_exceptions=True) returns results and exceptions in order. A TaskGroup cancels the others instead.",
    )
