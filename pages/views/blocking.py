"""The classic mistake (chapters 02 and 07): a blocking call inside async def, next to its fix."""

import asyncio
import time

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from config.params import float_param


@require_GET
async def async_blocking_mistake(request):
    seconds = float_param(request, "seconds", default=0.5, minimum=0, maximum=5)
    time.sleep(seconds)  # MISTAKE: blocks the event loop, so every other request on this worker waits
    return JsonResponse({"view": "async_blocking_mistake", "blocked_for": seconds})


@require_GET
async def async_blocking_fixed(request):
    seconds = float_param(request, "seconds", default=0.5, minimum=0, maximum=5)
    await asyncio.to_thread(time.sleep, seconds)  # the blocking call waits on a thread, not on the loop
    return JsonResponse({"view": "async_blocking_fixed", "blocked_for": seconds})
