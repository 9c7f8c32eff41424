"""The project's URLs plus one route to a class with a sync get() and an async post(): the URLconf cannot load.

`as_view()` refuses such a class with ImproperlyConfigured, and it runs when this module is imported. Django
imports the URLconf on the first request (system checks import it too), so under uvicorn or gunicorn the
server starts and then every request fails with a 500, while `manage.py check` and `runserver` (which runs
the checks at start) report the error before serving anything. Chapter 03 shows all three.
"""

from django.http import JsonResponse
from django.urls import path
from django.views import View

from config.urls import urlpatterns as project_urlpatterns


class MixedHandlersView(View):
    def get(self, request):
        return JsonResponse({"handler": "sync get"})

    async def post(self, request):
        return JsonResponse({"handler": "async post"})


urlpatterns = [
    *project_urlpatterns,
    path("mixed-handlers/", MixedHandlersView.as_view()),  # raises ImproperlyConfigured at import
]
