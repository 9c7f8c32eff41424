"""Lab 06: a resilient fan-out. Edit this file; the live project serves it under /labs/06-resilient-fan-out/.

GET /labs/06-resilient-fan-out/aggregate/?delays=0.1,2,0.1&statuses=200,503,200 calls the slow upstream once
per delay (GET <upstream>?delay=<d>&status=<s>) and answers 200 with partial results, in call order:
    {"results": [{"call": 0, "delay": 0.1, "outcome": "ok", "status": 200}, ...], "duration_ms": 512.3}
outcome: "ok" (2xx), "error" (any other status, or no answer), "timeout" (no answer within PER_CALL_TIMEOUT),
"deadline" (not finished when the whole view ran out of DEADLINE). At most MAX_IN_FLIGHT calls at once.
Bad input (a delay that is not a number in [0, 10], more than 10 delays) is a 400 with a message.
"""

# This file starts as the frame of the reference solution (solution/views.py), with what you write left as TODOs.

import time

import httpx
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

from pages.views import upstream_url  # settings.UPSTREAM_URL, or this server's own /upstream/

PER_CALL_TIMEOUT = 0.5  # seconds for one upstream call
DEADLINE = 1.0  # seconds for the whole view
MAX_IN_FLIGHT = 3  # upstream calls at once


@require_GET
async def aggregate(request):
    started = time.perf_counter()
    # TODO 1: validate the input with config.params (float_list_param, int_list_param) so bad input is a 400.
    delays = [float(d) for d in request.GET.get("delays", "0.1").split(",")]
    statuses = [int(s) for s in request.GET.get("statuses", "200").split(",")]
    statuses += [200] * (len(delays) - len(statuses))
    results = []
    async with httpx.AsyncClient() as client:
        # TODO 2: run the calls concurrently, at most MAX_IN_FLIGHT at once (asyncio.Semaphore).
        for call, (delay, status) in enumerate(zip(delays, statuses, strict=False)):
            # TODO 3: give each call PER_CALL_TIMEOUT (asyncio.timeout) and tell ok, error and timeout apart.
            response = await client.get(upstream_url(request), params={"delay": delay, "status": status})
            results.append({"call": call, "delay": delay, "outcome": "ok", "status": response.status_code})
    # TODO 4: stop waiting after DEADLINE seconds; calls still running then are reported as "deadline".
    return JsonResponse({"results": results, "duration_ms": round((time.perf_counter() - started) * 1000, 1)})


urlpatterns = [path("aggregate/", aggregate)]
