"""The step labs 01 and 02 share: three slow_io calls awaited together, and a duration_ms that is measured.

Lab 01 asks it of a function view, lab 02 of a class-based view's handler (`what`: "view" or "handler"). Each lab
picks its own random wait for slow_io (settings.SLOW_IO_SECONDS) and sends the requests; this module judges
what came back, so the two labs hold students to the same bounds with the same messages.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from labs.runner import StepFailed
from liveproject.evidence import measured

TIMER_FLOOR = 0.98  # a timer may wake a little early: allow 2%
# Three calls at once take one wait (t); two of them in sequence take at least 2t, three 3t: the bound lies between.
CONCURRENT_FACTOR = 1.6
TRIES = 5  # requests timed at most: a noisy machine can slow a request down, never speed it up


def fastest_answer(send: Callable[[], httpx.Response], wait: float) -> tuple[float, httpx.Response, int]:
    """Send up to TRIES requests, stopping at the first one that took a plausible time for three concurrent
    waits; return the fastest (elapsed seconds, response) and how many were sent."""
    timed = []
    for _ in range(TRIES):  # the fastest of up to five: enough for a loaded machine to let one through quickly
        started = time.perf_counter()
        response = send()
        timed.append((time.perf_counter() - started, response))
        if wait * TIMER_FLOOR <= timed[-1][0] < CONCURRENT_FACTOR * wait:
            break
    elapsed, response = min(timed, key=lambda pair: pair[0])
    return elapsed, response, len(timed)


def judge_three_concurrent_waits(
    elapsed: float, wait: float, tries: int, *, request: str, requests: str, what: str
) -> None:
    """`request` ("the report") took `elapsed` s at best over `tries` `requests` ("reports"); one slow_io call waits
    `wait` s."""
    if elapsed < wait * TIMER_FLOOR:
        raise StepFailed(
            f"{request} came back in {measured(elapsed, 's', digits=3)}, sooner than one slow_io call takes (the "
            f"checks set its wait to {measured(wait, 's', digits=3)} for this run): the {what} must await "
            "slow_io(1), slow_io(2) and slow_io(3) themselves, not a wait or results of its own"
        )
    if elapsed >= CONCURRENT_FACTOR * wait:
        raise StepFailed(
            f"the fastest of {tries} {requests} took {measured(elapsed, 's', digits=2)}, where one slow_io call "
            f"waits {measured(wait, 's', digits=3)} in this run: some of the three calls ran one after another, not "
            "concurrently (two waits in sequence take twice as long, three three times)"
        )


def judge_duration_ms(duration: object, wait: float, response: httpx.Response, elapsed: float, *, what: str) -> None:
    """duration_ms must be milliseconds, measured around the whole `what`: at least one wait, and no longer than
    the project's timing middleware measured around it (X-MW-Duration-Ms)."""
    if not isinstance(duration, int | float) or isinstance(duration, bool):
        raise StepFailed(f"duration_ms should be a number of milliseconds, got {duration!r}")
    if duration < wait * TIMER_FLOOR * 1000:
        raise StepFailed(
            f"duration_ms is {measured(repr(duration))}: read as milliseconds, that is less than the "
            f"{measured(wait, 's', digits=3)} your {what} waits for slow_io in this run (the checks vary the wait). "
            f"Report milliseconds (seconds x 1000), measured from the start of the {what} to its end"
        )
    around = float(response.headers.get("X-MW-Duration-Ms") or elapsed * 1000)  # measured around the view
    if duration > around + 1:
        raise StepFailed(
            f"duration_ms ({measured(repr(duration))}) is longer than the project's timing middleware measured "
            f"around your view (X-MW-Duration-Ms, which includes it): report the time the {what} took, in milliseconds"
        )
