"""liveproject.exercises.ch07: each check passes the right answer and rejects wrong ones with a hint."""

import asyncio

import pytest

from liveproject.exercises.ch07 import check_07_cleanup, check_07_first_event, check_07_first_events
from liveproject.exercises.common import NotYet


def test_07_1_accepts_four_intervals():
    check_07_first_event(0.8)
    for wrong in (0.0, 0.2, 1.0, None):
        with pytest.raises(NotYet, match="reads a sync iterator"):
            check_07_first_event(wrong)


async def test_07_2_accepts_cleanup_that_lets_the_cancellation_through():
    async def right(seconds, log):
        try:
            await asyncio.sleep(seconds)
        finally:
            log.append("cleanup")

    async def swallows(seconds, log):
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            log.append("cleanup")

    async def no_cleanup(seconds, log):
        await asyncio.sleep(seconds)

    await check_07_cleanup(right)
    for wrong in (swallows, no_cleanup):
        with pytest.raises(NotYet, match="re-raise"):
            await check_07_cleanup(wrong)


def test_07_3_accepts_reading_three_events_and_hanging_up(uvicorn_server):
    import json

    import httpx

    def right(url, n):
        events = []
        with httpx.Client(timeout=10) as client, client.stream("GET", url) as response:
            for line in response.iter_lines():
                if line.startswith("data: "):
                    events.append(json.loads(line.removeprefix("data: ")))
                    if len(events) == n:
                        break
        return events

    def reads_everything(url, n):
        return [json.loads(line[6:]) for line in httpx.get(url, timeout=10).text.splitlines() if line[:5] == "data:"][
            :n
        ]

    check_07_first_events(right, uvicorn_server)
    with pytest.raises(NotYet, match="iter_lines"):
        check_07_first_events(reads_everything, uvicorn_server)
    with pytest.raises(NotYet, match="iter_lines"):
        check_07_first_events(lambda url, n: [{"n": i} for i in range(n)], uvicorn_server)
