"""Near-misses of lab 06 that its checks must fail (labs/near_misses.py explains them)."""

from labs.near_misses import NearMiss

# Each near-miss quotes the lines of the solution it replaces, and those that take a lesson out the same way
# look alike: the repetition is the table, on purpose.

NEAR_MISSES = [
    NearMiss(
        "no bound on calls in flight: a semaphore as large as the number of calls",
        (("asyncio.Semaphore(MAX_IN_FLIGHT)", "asyncio.Semaphore(len(delays))"),),
        lesson="in flight at once",
    ),
    NearMiss(
        "no per-call timeout: only the overall deadline ends a slow call",
        (
            ("                    async with asyncio.timeout(PER_CALL_TIMEOUT):\n"
             "                        response = await client.get(",
             "                    if True:  # the deadline will stop a slow call anyway\n"
             "                        response = await client.get("),
        ),
        lesson="PER_CALL_TIMEOUT",
    ),
    NearMiss(
        "the per-call timeout around the semaphore: waiting for a slot eats the call's time",
        (
            ("            async with semaphore:  # waiting for a slot does not count against the call's own timeout\n"
             "                try:\n"
             "                    async with asyncio.timeout(PER_CALL_TIMEOUT):\n",
             "            if True:\n"
             "                try:\n"
             "                    async with asyncio.timeout(PER_CALL_TIMEOUT), semaphore:\n"),
        ),
        lesson="waiting for a slot",
    ),
    NearMiss(
        "no overall deadline: the view waits for every call",
        (("await asyncio.wait(tasks, timeout=DEADLINE)", "await asyncio.wait(tasks)"),),
        lesson="past its deadline",
    ),
    NearMiss(
        "asyncio.wait_for(gather(...), DEADLINE): one late call loses every result",
        (
            ("_, unfinished = await asyncio.wait(tasks, timeout=DEADLINE)",
             "unfinished = []\n        await asyncio.wait_for(asyncio.gather(*tasks), DEADLINE)"),
        ),
        lesson="partial results",
    ),
    NearMiss(
        "only timeouts caught: a call with no answer is left unreported",
        (('                except httpx.HTTPError:\n                    results[i]["outcome"] = "error"\n', ""),),
        lesson="without an answer",
    ),
    NearMiss(
        "only 200 counted as ok",
        (('outcome = "ok" if response.is_success else "error"',
          'outcome = "ok" if response.status_code == 200 else "error"'),),
        lesson="2xx",
    ),
    NearMiss(
        "the per-call timeout left to httpx (it applies to each read, not to the call)",
        (
            ("                    async with asyncio.timeout(PER_CALL_TIMEOUT):\n"
             "                        response = await client.get(",
             "                    if True:  # the client's timeout is enough\n"
             "                        response = await client.get("),
            ("httpx.AsyncClient()", "httpx.AsyncClient(timeout=PER_CALL_TIMEOUT)"),
        ),
        lesson="one byte at a time",
    ),
    NearMiss(
        "one module-level semaphore shared by every request",
        (
            ("MAX_IN_FLIGHT = 3\n", "MAX_IN_FLIGHT = 3\nsemaphore = asyncio.Semaphore(MAX_IN_FLIGHT)\n"),
            ("url, semaphore = upstream_url(request), asyncio.Semaphore(MAX_IN_FLIGHT)", "url = upstream_url(request)"),
        ),
        lesson="shared by every request",
    ),
    NearMiss(
        "no cancellation at the deadline: the unfinished calls are waited out",
        (('        for task in unfinished:  # their results keep the outcome "deadline"\n            task.cancel()\n',
          ""),),
        lesson="past its deadline",
    ),
    NearMiss(
        "rounds of MAX_IN_FLIGHT calls with gather, instead of a semaphore",
        (("        tasks = [asyncio.create_task(call(i)) for i in range(len(delays))]\n",
          "        async def rounds():\n"
          "            for first in range(0, len(delays), MAX_IN_FLIGHT):\n"
          "                last = min(first + MAX_IN_FLIGHT, len(delays))\n"
          "                await asyncio.gather(*(call(i) for i in range(first, last)))\n"
          "\n"
          "        tasks = [asyncio.create_task(rounds())]\n"),),
        lesson="in rounds",
    ),
]  # fmt: skip
