"""Lab 06, reference solution: a resilient fan-out served under /labs/06-resilient-fan-out/."""

import asyncio
import time

import httpx
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

from config.errors import ApiError
from config.params import float_list_param, int_list_param
from pages.views import upstream_url

PER_CALL_TIMEOUT = 0.5
DEADLINE = 1.0
MAX_IN_FLIGHT = 3


@require_GET
async def aggregate(request):
    started = time.perf_counter()
    delays = float_list_param(request, "delays", default="0.1", minimum=0, maximum=10, max_items=10)
    statuses = int_list_param(request, "statuses", default="200", minimum=100, maximum=599, max_items=10)
    if len(statuses) > len(delays):
        raise ApiError(400, f"statuses has {len(statuses)} items but there are only {len(delays)} delays")
    statuses += [200] * (len(delays) - len(statuses))
    url, semaphore = upstream_url(request), asyncio.Semaphore(MAX_IN_FLIGHT)
    results = [{"call": i, "delay": d, "outcome": "deadline", "status": None} for i, d in enumerate(delays)]

    async with httpx.AsyncClient() as client:

        async def call(i):
            async with semaphore:  # waiting for a slot does not count against the call's own timeout
                try:
                    async with asyncio.timeout(PER_CALL_TIMEOUT):
                        response = await client.get(url, params={"delay": delays[i], "status": statuses[i]})
                    outcome = "ok" if response.is_success else "error"
                    results[i].update(outcome=outcome, status=response.status_code)
                except (TimeoutError, httpx.TimeoutException):
                    results[i]["outcome"] = "timeout"
                except httpx.HTTPError:
                    results[i]["outcome"] = "error"

        tasks = [asyncio.create_task(call(i)) for i in range(len(delays))]
        _, unfinished = await asyncio.wait(tasks, timeout=DEADLINE)
        for task in unfinished:  # their results keep the outcome "deadline"
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)  # let them finish cancelling before we close
    return JsonResponse({"results": results, "duration_ms": round((time.perf_counter() - started) * 1000, 1)})


urlpatterns = [path("aggregate/", aggregate)]
