"""Checks of lab 04 (audit a stack under uvicorn). Run them with `python -m labs check 04` or `nox -s lab -- 04`.

The ground truth is computed here, independently of your code: the endpoints and middleware by a separate
Python process that imports the project, the adaptations from the server's log with a pattern of our own,
and the user-reading middleware by construction (the checks switched it on).
"""

import contextlib
import json
import os
import re
import subprocess
import sys

from labs.runner import Step, StepFailed
from liveproject.databases import PROJECT_ROOT

EXTRA = ["config.middleware.SyncOnlyMiddleware", "config.middleware_examples.user_header_middleware_mistake"]

TRUTH = """
import json, django
django.setup()
from django.conf import settings
from django.utils.module_loading import import_string
from liveproject.exercises import _defined_with_async_def, project_endpoints
extra = json.loads(EXTRA)
endpoints = {route: "async" if _defined_with_async_def(view) else "sync" for route, view in project_endpoints()}
middleware = [[p, getattr(import_string(p), "sync_capable", True), getattr(import_string(p), "async_capable", False)]
              for p in settings.MIDDLEWARE + extra]
print(json.dumps({"endpoints": endpoints, "middleware": middleware}))
"""


@contextlib.contextmanager
def lab_fixture():
    yield {"server_options": {"debug": True, "extra_middleware": EXTRA, "loggers": {"django.request": "DEBUG"}}}


def truth():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    source = TRUTH.replace("json.loads(EXTRA)", repr(EXTRA))
    done = subprocess.run(
        [sys.executable, "-c", source], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-500:])
    return json.loads(done.stdout)


def report(context):
    response = context.server.client.get(context.url("audit/"))
    if response.status_code != 200:
        raise StepFailed(f"GET {context.url('audit/')} answered {response.status_code}: {response.text[:200]}")
    return response.json()


def endpoints_match(context):
    expected, got = truth()["endpoints"], report(context).get("endpoints")
    if got != expected:
        missing = sorted(set(expected) - set(got or {}))[:3]
        wrong = sorted(route for route in set(expected) & set(got or {}) if expected[route] != got[route])[:3]
        raise StepFailed(f"{len(expected)} endpoints expected; missing e.g. {missing}; wrong mode for {wrong}")


def middleware_match(context):
    expected, got = truth()["middleware"], report(context).get("middleware")
    if got != expected:
        raise StepFailed(f"expected {len(expected)} rows like {expected[0]}; got {got!r}"[:300])


def adaptations_found(context):
    expected = re.findall(r"adapted for middleware ([\w.]+?)\.?$", context.server.log_text(), flags=re.MULTILINE)
    got = report(context).get("adapted")
    if not expected or got != expected:
        raise StepFailed(f"the server's log names {expected}; your audit found {got!r}")


def user_reader_found(context):
    with_login = context.server.login_headers("ada")
    context.server.client.get("/ping/async/", headers=with_login)  # a logged-in request: the mistake raises
    context.server.wait_for_log("SynchronousOnlyOperation")
    got = report(context).get("reads_user")
    if got != ["config.middleware_examples"]:
        raise StepFailed(f"the middleware that reads request.user lives in config.middleware_examples; got {got!r}")


STEPS = [
    Step(
        "which endpoints are async", endpoints_match, "walk get_resolver().url_patterns; iscoroutinefunction(callback)"
    ),
    Step(
        "which middleware can run sync and async",
        middleware_match,
        "import_string each path in settings.MIDDLEWARE; getattr(..., 'sync_capable', True) and 'async_capable', False",
    ),
    Step(
        "which middleware Django adapted (from the log)",
        adaptations_found,
        "find the lines 'Asynchronous handler adapted for middleware X.' (or 'Synchronous ...') and keep X",
    ),
    Step(
        "which project module read request.user in async code",
        user_reader_found,
        'in each traceback ending with SynchronousOnlyOperation, take the last `File "..."` inside the project',
    ),
]
