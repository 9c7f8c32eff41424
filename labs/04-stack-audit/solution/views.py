"""Lab 04, reference solution: an audit of the stack, served at /labs/04-stack-audit/audit/."""

import os
import re
from pathlib import Path

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.http import JsonResponse
from django.urls import URLPattern, URLResolver, get_resolver, path
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET


def endpoint_modes() -> dict:
    modes = {}

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver) and not route.startswith(("admin/", "labs/")):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                modes["/" + route] = "async" if iscoroutinefunction(pattern.callback) else "sync"

    walk(get_resolver().url_patterns, "")
    return modes


def middleware_capabilities() -> list:
    rows = []
    for dotted in settings.MIDDLEWARE:
        layer = import_string(dotted)
        rows.append([dotted, getattr(layer, "sync_capable", True), getattr(layer, "async_capable", False)])
    return rows


def adapted_middleware(log_text: str) -> list:
    return re.findall(r"handler adapted for middleware (\S+?)\.?$", log_text, flags=re.MULTILINE)


FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line \d+, in ', re.MULTILINE)


def user_reading_modules(log_text: str) -> list:
    project = str(settings.BASE_DIR) + os.sep
    modules = []
    for block in log_text.split("Traceback (most recent call last):")[1:]:
        lines = [line for line in block.splitlines() if line.strip()]
        ending = next((line for line in lines if not line.startswith((" ", "\t"))), "")  # the exception line
        if "SynchronousOnlyOperation" not in ending:
            continue
        own = [
            m["file"]
            for m in FRAME.finditer(block)
            if m["file"].startswith(project) and "site-packages" not in m["file"]
        ]
        if own:
            module = own[-1][len(project) :].removesuffix(".py").replace(os.sep, ".")
            if module not in modules:
                modules.append(module)
    return modules


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
