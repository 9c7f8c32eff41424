"""Lab 02, reference solution: async class-based views served under /labs/02-async-cbv/."""

import asyncio
import time

from django.http import JsonResponse
from django.urls import path
from django.views import View

from articles.models import Article
from config.mixins import AsyncLoginRequiredMixin
from pages.views import slow_io


class ConcurrentTasksView(View):
    """Only `get` is defined, so Django answers every other method with 405 (and OPTIONS with the list)."""

    async def get(self, request):
        started = time.perf_counter()
        results = await asyncio.gather(slow_io(1), slow_io(2), slow_io(3))
        return JsonResponse({"results": results, "duration_ms": round((time.perf_counter() - started) * 1000, 1)})


class MyDraftsView(AsyncLoginRequiredMixin, View):
    """The mixin's async dispatch() awaits request.auser(), answers 401 for anonymous users, and leaves the
    loaded user on request.user for the handler."""

    async def get(self, request):
        drafts = Article.objects.filter(status=Article.Status.DRAFT, author=request.user)
        return JsonResponse({"username": request.user.username, "drafts": await drafts.acount()})


urlpatterns = [
    path("tasks/", ConcurrentTasksView.as_view()),
    path("my-drafts/", MyDraftsView.as_view()),
]
