"""Lab 01: an async report. Edit this file; the live project serves it at /labs/01-async-report/report/.

The report answers GET with JSON:
    {"io": [three results of pages.views.slow_io], "slugs": [up to 10 published slugs], "duration_ms": float}
The three slow_io calls (0.2 s each) must run concurrently, and the slugs must come from the async ORM.
"""

# This file starts as the frame of the reference solution (solution/views.py), with what you write left as TODOs.

import time

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

from articles.models import Article  # noqa: F401 - you will need it
from pages.views import slow_io  # noqa: F401 - await slow_io(n) stands in for one I/O call of 0.2 s


@require_GET
async def async_report(request):
    started = time.perf_counter()
    # TODO 1: run slow_io(1), slow_io(2) and slow_io(3) concurrently and keep their results in order.
    io = []
    # TODO 2: read up to 10 published slugs, newest first by publication time (published_at), with the async ORM.
    slugs = []
    # TODO 3: report how long the view took, in milliseconds.
    duration_ms = None
    del started
    return JsonResponse({"io": io, "slugs": slugs, "duration_ms": duration_ms})


urlpatterns = [path("report/", async_report)]
