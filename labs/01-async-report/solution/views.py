"""Lab 01, reference solution: an async report served at /labs/01-async-report/report/."""

import asyncio
import time

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

from articles.models import Article
from pages.views import slow_io


@require_GET
async def async_report(request):
    started = time.perf_counter()
    io = await asyncio.gather(slow_io(1), slow_io(2), slow_io(3))  # three waits of 0.2 s, together
    newest = Article.objects.published().order_by("-published_at").values_list("slug", flat=True)[:10]
    slugs = [slug async for slug in newest]  # one query, on the ORM's thread, without blocking the loop
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    return JsonResponse({"io": io, "slugs": slugs, "duration_ms": duration_ms})


urlpatterns = [path("report/", async_report)]
