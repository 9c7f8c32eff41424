"""The course's first endpoints (chapters 00 to 03), and slow_io(), the stand-in for one I/O call.

/async-hello/, /async-demo/{concurrent,sequential}/ and /async-status/; the labs await slow_io() too."""

import asyncio
import time

from django.conf import settings
from django.http import JsonResponse
from django.views import View
from django.views.decorators.http import require_GET


@require_GET
async def async_hello(request):
    await asyncio.sleep(0.1)
    return JsonResponse({"message": "hello from async view"})


async def slow_io(n: int) -> dict:
    """Stands in for one I/O call (an HTTP request, a cache read) that takes 0.2 s (labs' checks vary it)."""
    await asyncio.sleep(getattr(settings, "SLOW_IO_SECONDS", 0.2))
    return {"task": n, "done": True}


@require_GET
async def async_concurrency_demo(request):
    start = time.perf_counter()
    results = await asyncio.gather(*(slow_io(n) for n in range(1, 6)))
    duration_ms = (time.perf_counter() - start) * 1000
    return JsonResponse({"mode": "concurrent", "duration_ms": round(duration_ms, 2), "results": results})


@require_GET
async def async_sequential_demo(request):
    start = time.perf_counter()
    results = [await slow_io(n) for n in range(1, 6)]
    duration_ms = (time.perf_counter() - start) * 1000
    return JsonResponse({"mode": "sequential", "duration_ms": round(duration_ms, 2), "results": results})


class AsyncStatusView(View):
    async def get(self, request, *args, **kwargs):
        await asyncio.sleep(0.1)
        return JsonResponse({"status": "ok", "kind": "cbv-async"})
