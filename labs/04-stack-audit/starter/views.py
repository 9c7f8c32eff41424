"""Lab 04: audit a stack under uvicorn. Edit the four functions; the live project serves the report at
/labs/04-stack-audit/audit/.

The checks start the project with extra middlewares at the inside of the stack: the sync-only
config.middleware.SyncOnlyMiddleware with the async-only config.middleware_examples.AsyncRejecting outside it (a
pair repeated one to three times), and config.middleware_examples.user_header_middleware_mistake, written like a
third-party middleware that reads request.user. DEBUG is on and the django.request logger logs at DEBUG level, so
Django writes every adaptation it makes to the server's log. Then they make the server log errors (README.md).
"""

# This file starts as the frame of the reference solution (solution/views.py), with what you write left as TODOs.

import os
from pathlib import Path

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET


def endpoint_modes() -> dict:
    """{route: "async" or "sync"} for every URL of the project, leaving out /admin/ and /labs/.

    Routes are written as the URLconf writes them, with a leading slash: "/articles/async/<slug:slug>/".
    """
    # TODO 1: walk django.urls.get_resolver().url_patterns (URLResolver has .url_patterns, URLPattern has
    # .callback) and ask asgiref.sync.iscoroutinefunction(callback).
    return {}


def middleware_capabilities() -> list:
    """[[dotted path, sync_capable, async_capable], ...] for settings.MIDDLEWARE, in order."""
    # TODO 2: import each path (django.utils.module_loading.import_string); the defaults are True and False.
    return []


def adapted_middleware(log_text: str) -> list:
    """The dotted paths of the middlewares Django adapted, from its "... adapted for middleware X." lines."""
    # TODO 3: read them from the log, in order.
    return []


def user_reading_modules(log_text: str) -> list:
    """The project modules (such as "config.middleware") in which a SynchronousOnlyOperation was raised:
    for each traceback in the log that ends with SynchronousOnlyOperation, the module of its last frame in
    the project's own code (not in site-packages)."""
    # TODO 4: split the log into tracebacks and read their `File "...", line N, in ...` lines.
    return []


@require_GET
def audit(request):  # sync on purpose: it reads a file and imports modules, all blocking work
    log_file = os.environ.get("LIVESERVER_LOG_FILE")  # set by the course's LiveServer (the checks, the notebook)
    if not log_file:  # e.g. under `nox -s serve`, whose log goes to the terminal: nothing to audit
        return JsonResponse({"error": "this server writes no log file (LIVESERVER_LOG_FILE is unset)"}, status=409)
    log_text = Path(log_file).read_text()
    return JsonResponse(
        {
            "endpoints": endpoint_modes(),
            "middleware": middleware_capabilities(),
            "adapted": adapted_middleware(log_text),
            "reads_user": user_reading_modules(log_text),
        }
    )


urlpatterns = [path("audit/", audit)]
