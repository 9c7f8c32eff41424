"""Sync and async twins (chapter 01, then yardsticks): the same view written both ways.

A pair shares a name apart from its prefix (`sync_wait` / `async_wait`), so a chapter can start one server and
compare the two: doing nothing, waiting, computing."""

import asyncio
import time

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from config.params import float_param

# The longest wait any view accepts (a query parameter in seconds): longer asks are a 400, not a stuck worker.
MAX_WAIT_SECONDS = 10.0


# --- Trivial twins: what a request costs when the view does nothing -------------------------------


@require_GET
def sync_ping(request):
    return JsonResponse({"pong": True, "view": "sync"})


@require_GET
async def async_ping(request):
    return JsonResponse({"pong": True, "view": "async"})


# --- Waiting twins: the same wait, blocking a thread or yielding to the event loop -----------------


@require_GET
def sync_wait(request):
    seconds = float_param(request, "seconds", default=0.2, minimum=0, maximum=MAX_WAIT_SECONDS)
    time.sleep(seconds)  # holds this worker thread for the whole wait
    return JsonResponse({"view": "sync", "waited": seconds})


@require_GET
async def async_wait(request):
    seconds = float_param(request, "seconds", default=0.2, minimum=0, maximum=MAX_WAIT_SECONDS)
    await asyncio.sleep(seconds)  # the event loop serves other requests meanwhile
    return JsonResponse({"view": "async", "waited": seconds})


# --- Computing twins: work that needs the CPU, not waiting --------------------------------------------


def burn_cpu(seconds: float) -> int:
    """Stands in for CPU-bound work (parsing, rendering, hashing): spin until this thread used `seconds` of CPU.

    Counting this thread's CPU time, not wall time, makes every request cost the same CPU however many
    other threads or processes compete for the cores.
    """
    deadline = time.thread_time() + seconds
    spins = 0
    while time.thread_time() < deadline:
        spins += 1
    return spins


@require_GET
def sync_compute(request):
    seconds = float_param(request, "seconds", default=0.05, minimum=0, maximum=2)
    burn_cpu(seconds)
    return JsonResponse({"view": "sync", "cpu_seconds": seconds})


@require_GET
async def async_compute(request):
    seconds = float_param(request, "seconds", default=0.05, minimum=0, maximum=2)
    burn_cpu(seconds)  # no await can help: the event loop is busy computing, so nothing else runs
    return JsonResponse({"view": "async", "cpu_seconds": seconds})
