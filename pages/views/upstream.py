"""Calling other services (chapters 02 and 07): a slow upstream, a fan-out over it, an HTTP client's lifetime.

Also a task started from a view (fire and forget), which is not a job queue."""

import asyncio
import logging
import time

import httpx
from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from config.errors import ApiError
from config.params import float_list_param, float_param, int_list_param, int_param
from pages.views.twins import MAX_WAIT_SECONDS

lifecycle_log = logging.getLogger("pages.lifecycle")  # what long-lived requests did, for chapter 07


# --- A slow upstream service and a fan-out over it ------------------------------------------------


@require_GET
async def slow_upstream(request):
    """A simulated remote service: answers after `delay` seconds with `status` (to inject failures).

    Like a real service, it notices a caller that hangs up before the answer: it logs `upstream <id> cancelled`
    (logger pages.lifecycle), with the X-Request-Id the caller sent.
    """
    delay = float_param(request, "delay", default=0.2, minimum=0, maximum=MAX_WAIT_SECONDS)
    status = int_param(request, "status", default=200, minimum=200, maximum=599)
    started = time.perf_counter()
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        lifecycle_log.info("upstream %s cancelled after %.2f s", request.request_id, time.perf_counter() - started)
        raise
    return JsonResponse({"delay": delay, "status": status}, status=status)


def upstream_url(request) -> str:
    """settings.UPSTREAM_URL, or this server's own /upstream/ (safe on an ASGI server, see settings.py)."""
    return settings.UPSTREAM_URL or request.build_absolute_uri("/upstream/")


async def call_upstream(client, semaphore, url, *, call, delay, status, timeout, request_id) -> dict:
    """One upstream call with its own deadline. Waiting for a free slot does not count against it.
    The call carries the id `<request_id>-call<n>`, so the upstream's log lines can be matched to it."""
    async with semaphore:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                params, headers = {"delay": delay, "status": status}, {"X-Request-Id": f"{request_id}-call{call}"}
                response = await client.get(url, params=params, headers=headers)
            outcome, code = ("ok" if response.is_success else "error"), response.status_code
        except (TimeoutError, httpx.TimeoutException):
            outcome, code = "timeout", None
        except httpx.HTTPError as exc:
            outcome, code = f"error: {type(exc).__name__}", None
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    return {"call": call, "delay": delay, "outcome": outcome, "status": code, "elapsed_ms": elapsed_ms}


@require_GET
async def async_fan_out(request):
    """Call the slow upstream once per entry of `delays`, at most `concurrency` calls at a time.

    Example: /fan-out/?delays=0.2,0.2,3&statuses=200,503,200&timeout=1 -> one ok, one error, one timeout.
    """
    delays = float_list_param(request, "delays", default="0.2,0.2,0.2,0.2,0.2", minimum=0, maximum=10, max_items=50)
    statuses = int_list_param(request, "statuses", default="200", minimum=200, maximum=599, max_items=50)
    if len(statuses) > len(delays):
        raise ApiError(400, f"statuses has {len(statuses)} items but there are only {len(delays)} delays")
    statuses += [200] * (len(delays) - len(statuses))
    timeout = float_param(request, "timeout", default=1.0, minimum=0.01, maximum=10)
    concurrency = int_param(request, "concurrency", default=len(delays), minimum=1, maximum=50)
    url = upstream_url(request)

    started = time.perf_counter()
    semaphore = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=timeout + 1) as client:  # asyncio.timeout is the real deadline
        calls = await asyncio.gather(
            *(
                call_upstream(
                    client, semaphore, url, call=i, delay=d, status=s, timeout=timeout, request_id=request.request_id
                )
                for i, (d, s) in enumerate(zip(delays, statuses, strict=True))
            )
        )
    outcomes = [c["outcome"].split(":")[0] for c in calls]
    summary = {kind: outcomes.count(kind) for kind in ("ok", "error", "timeout")}
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    return JsonResponse({"duration_ms": duration_ms, "concurrency": concurrency, "summary": summary, "calls": calls})


# --- Whose event loop is it? An HTTP client's lifetime ---------------------------------------------

# MISTAKE: one client for the whole process. Its pooled connections belong to the event loop that opened
# them. Under WSGI (and async_to_sync) every request runs on a new loop, so the next request finds its
# connection tied to a loop that is already closed: "RuntimeError: Event loop is closed".
GLOBAL_UPSTREAM_CLIENT = httpx.AsyncClient(timeout=5)


@require_GET
async def async_upstream_global_client(request):
    response = await GLOBAL_UPSTREAM_CLIENT.get(upstream_url(request), params={"delay": 0})
    return JsonResponse({"client": "global", "upstream_status": response.status_code})


@require_GET
async def async_upstream_request_client(request):
    # A client per request, closed by `async with` on the loop that opened it: correct under any server.
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.get(upstream_url(request), params={"delay": 0})
    return JsonResponse({"client": "per request", "upstream_status": response.status_code})


# --- Fire and forget: a task created in a view is not a job queue ---------------------------------

_background_tasks = set()  # keeps running tasks referenced: the loop itself only holds weak references


async def pretend_to_send_email(request_id: str) -> None:
    lifecycle_log.info("background %s started", request_id)
    try:
        await asyncio.sleep(0.5)  # stands in for talking to a mail server
    except asyncio.CancelledError:
        lifecycle_log.info("background %s cancelled", request_id)
        raise
    lifecycle_log.info("background %s done", request_id)


@require_GET
async def async_fire_and_forget(request):
    """Answer at once and leave the work to a task. It only finishes if this event loop lives long enough:
    under WSGI the loop ends with the request, and under uvicorn a restart loses whatever is pending."""
    task = asyncio.create_task(pretend_to_send_email(request.request_id))
    _background_tasks.add(task)
    task.add_done_callback(_background_tasks.discard)
    return JsonResponse({"queued": True})
