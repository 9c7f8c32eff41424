"""The URLconf lab 04's checks serve: the project's own patterns, plus routes the student cannot have seen.

* A probe route whose path and mode (sync or async view) the checks choose at random and pass in the setting
  LAB04_PROBE_ROUTE = (route, "sync" or "async"): an audit that copies the project's routes misses it.
* /lab04/wrapped/: an async view that calls articles.views.async_titles_render, so the SynchronousOnlyOperation it
  raises has a traceback through two project modules (this one first, articles.views last).
* /lab04/other-error/ (liveproject.broken_urls.lab04_audit_errors): an error of another type whose traceback
  names SynchronousOnlyOperation in a line of source, not in its exception line.
"""

from django.conf import settings
from django.http import JsonResponse
from django.urls import include, path

from articles.views import async_titles_render
from config.urls import urlpatterns as project_urlpatterns

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"


def probe_sync(request):
    return JsonResponse({"probe": "sync"})


async def probe_async(request):
    return JsonResponse({"probe": "async"})


async def titles_through_a_wrapper(request):
    return await async_titles_render(request)


PROBE_ROUTE, PROBE_MODE = getattr(settings, "LAB04_PROBE_ROUTE", ("lab04/probe/", "async"))

urlpatterns = [
    *project_urlpatterns,
    path(PROBE_ROUTE, probe_async if PROBE_MODE == "async" else probe_sync),
    path("lab04/wrapped/", titles_through_a_wrapper),
    path("lab04/", include("liveproject.broken_urls.lab04_audit_errors")),
]
