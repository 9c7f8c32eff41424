"""Lab 02: async class-based views. Edit this file; the live project serves it under /labs/02-async-cbv/.

GET /labs/02-async-cbv/tasks/   runs three simulated I/O calls concurrently:
    {"results": [{"task": 1, "done": true}, ...], "duration_ms": 203.1}
    Any other method is refused with 405 (the project's middleware turns it into JSON listing the allowed ones).
GET /labs/02-async-cbv/my-drafts/   for a logged-in user: {"username": "ada", "drafts": 6}, the number of
    drafts that user wrote; 401 with a message for anyone else.
"""

# This file starts as the frame of the reference solution (solution/views.py), with what you write left as TODOs.

import time

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import JsonResponse
from django.urls import path
from django.views import View

from articles.models import Article
from pages.views import slow_io


class ConcurrentTasksView(View):
    async def get(self, request):
        started = time.perf_counter()
        # TODO 1: run the three calls concurrently, then report duration_ms in milliseconds.
        results = [await slow_io(n) for n in (1, 2, 3)]
        del started
        return JsonResponse({"results": results, "duration_ms": None})

    def post(self, request):  # TODO 2: does this view need a post handler at all? (try the checks first)
        return JsonResponse({"error": "not supported"}, status=405)


class MyDraftsView(LoginRequiredMixin, View):  # TODO 3: Django's mixin cannot protect an async view
    async def get(self, request):
        drafts = Article.objects.filter(status=Article.Status.DRAFT, author=request.user)
        return JsonResponse({"username": request.user.username, "drafts": await drafts.acount()})


urlpatterns = [
    path("tasks/", ConcurrentTasksView.as_view()),
    path("my-drafts/", MyDraftsView.as_view()),
]
