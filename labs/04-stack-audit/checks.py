"""Checks of lab 04 (audit a stack under uvicorn). Run them with `python -m labs check 04` or `nox -s lab -- 04`.

The ground truth is computed here, independently of your code: the endpoints and middleware by a separate
Python process that imports the project, the adaptations from the server's log with a pattern of our own, and
the modules that raised SynchronousOnlyOperation by construction (the checks make them raise). The log your
audit reads is one you have not seen: the checks choose at random how many times a pair of adapted middlewares
sits in the stack, and provoke the errors in a random order, with tracebacks of another type among and after them.
The server runs the project's URLconf plus routes the student has not seen (liveproject/broken_urls/lab04_audit.py):
one with a random path and a random mode, one whose traceback passes through two project modules, and one whose
error of another type names SynchronousOnlyOperation in its message. Its stack starts with a middleware that sets
no capability flags, so only Django's defaults give its row.
"""

import contextlib
import json
import random
import re
import socket
import time

from labs.runner import Step, StepFailed, run_project_script

USER_MISTAKE = "config.middleware_examples.user_header_middleware_mistake"
# Sync-only SyncOnlyMiddleware runs on a thread; the async-only AsyncRejecting outside it brings the stack back to
# async: Django adapts around each of them ("Asynchronous handler adapted ...", "Synchronous handler adapted ...").
ADAPTED_PAIR = ["config.middleware_examples.AsyncRejecting", "config.middleware.SyncOnlyMiddleware"]
WITHOUT_FLAGS = "config.middleware_examples.middleware_without_flags"  # sets no flags: Django's defaults apply
URLCONF = "liveproject.broken_urls.lab04_audit"  # config.urls, plus LAB04_PROBE_ROUTE and two erring routes
# The errors step 4 provokes: (what it sends, the exception its traceback ends with, the module of its last
# project frame). A logged-in request makes user_header_middleware_mistake read request.user on the event loop;
# the project's own render() mistake queries on the loop, called directly or from a view of another project module;
# /clients/... call an upstream that refuses; /lab04/other-error/ raises a RuntimeError naming SynchronousOnlyOperation.
LOGGED_IN = "logged in"
PROVOKED = [
    (LOGGED_IN, "SynchronousOnlyOperation", "config.middleware_examples"),
    ("/articles/titles/render/", "SynchronousOnlyOperation", "articles.views"),
    ("/lab04/wrapped/", "SynchronousOnlyOperation", "articles.views"),  # first project frame: lab04_audit
    ("/clients/global/", "httpx.ConnectError", "pages.views.upstream"),
    ("/lab04/other-error/", "RuntimeError", "liveproject.broken_urls.lab04_audit_errors"),
]
LAST = ("/clients/per-request/", "httpx.ConnectError", "pages.views.upstream")  # the log always ends with another type

TRUTH = """
import json, sys, django
django.setup()
from django.conf import settings
from django.utils.module_loading import import_string
from liveproject.endpoints import defined_with_async_def, project_endpoints
extra, overrides = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for name, value in overrides.items():
    setattr(settings, name, value)
endpoints = {route: "async" if defined_with_async_def(view) else "sync" for route, view in project_endpoints()}
middleware = [[p, getattr(import_string(p), "sync_capable", True), getattr(import_string(p), "async_capable", False)]
              for p in settings.MIDDLEWARE + extra]
print(json.dumps({"endpoints": endpoints, "middleware": middleware}))
"""


@contextlib.contextmanager
def lab_fixture():
    extra = [WITHOUT_FLAGS, *ADAPTED_PAIR * random.randint(1, 3), USER_MISTAKE]
    # a route the student cannot have seen: a random path, served by a sync or an async view at random
    probe = (
        f"{random.choice(['stock', 'audit', 'probe', 'extra'])}-{random.randrange(16**6):06x}/",
        random.choice(["sync", "async"]),
    )
    refusing = socket.socket()  # bound, never listening: a connection to it is refused, and no one else can take it
    refusing.bind(("127.0.0.1", 0))
    try:
        yield {
            "settings": {
                "UPSTREAM_URL": f"http://127.0.0.1:{refusing.getsockname()[1]}/",
                "ROOT_URLCONF": URLCONF,
                "LAB04_PROBE_ROUTE": probe,
            },
            "server_options": {"debug": True, "extra_middleware": extra, "loggers": {"django.request": "DEBUG"}},
            "extra_middleware": extra,
            "urlconf": {"ROOT_URLCONF": URLCONF, "LAB04_PROBE_ROUTE": probe},
        }
    finally:
        refusing.close()


def truth(context):
    if "truth" not in context.extra:
        printed = run_project_script(
            TRUTH,
            json.dumps(context.extra["extra_middleware"]),
            json.dumps(context.extra["urlconf"]),
            database_url="",
            debug=False,
        )
        context.extra["truth"] = json.loads(printed)
    return context.extra["truth"]


def report(context):
    response = context.server.client.get(context.url("audit/"))
    if response.status_code != 200:
        raise StepFailed(f"GET {context.url('audit/')} answered {response.status_code}")
    return response.json()


def endpoints_match(context):
    expected, got = truth(context)["endpoints"], report(context).get("endpoints")
    if not isinstance(got, dict):
        raise StepFailed(f'"endpoints" should be an object {{route: "async" or "sync"}}, got {got!r}'[:200])
    if got == expected:
        return
    problems = []
    extra = sorted(set(got) - set(expected))
    if extra:
        problems.append(
            f"{len(extra)} of your routes are not the project's, e.g. {extra[0]!r} (write them as the URLconf "
            "does, with a leading '/', and leave out /admin/ and /labs/)"
        )
    missing = set(expected) - set(got)
    probe = "/" + context.extra["urlconf"]["LAB04_PROBE_ROUTE"][0]
    if probe in missing:
        problems.append(
            "the route the checks added to the server's URLconf just now, at random, is missing (do not copy the "
            "routes you have seen: read them from the URLconf the server runs, django.urls.get_resolver())"
        )
    if missing - {probe}:
        problems.append(
            f"{len(missing - {probe})} of the project's routes are missing (walk into every include(): a URLResolver's "
            "routes are in its url_patterns, after its own prefix)"
        )
    wrong = sorted(route for route in set(expected) & set(got) if expected[route] != got[route])
    if wrong:
        problems.append(
            f"{len(wrong)} routes have the wrong mode, e.g. {wrong[0]} (as_view() marks a class-based view async "
            "with asgiref's markcoroutinefunction)"
        )
    raise StepFailed(f"your audit lists {len(got)} routes, the project has {len(expected)}: " + "; ".join(problems))


def middleware_match(context):
    expected, got = truth(context)["middleware"], report(context).get("middleware")
    if got == expected:
        return
    if not isinstance(got, list) or len(got) != len(expected):
        count = len(got) if isinstance(got, list) else got
        raise StepFailed(
            f"your audit lists {count!r} middlewares; the server's stack has {len(expected)} "
            "(settings.MIDDLEWARE as the server runs it, the checks' extra ones included, in order)"
        )
    for position, (mine, theirs) in enumerate(zip(got, expected, strict=True), start=1):
        if mine != theirs:
            what = "dotted path is" if not mine or mine[0] != theirs[0] else "flags are"
            raise StepFailed(
                f"row {position} of {len(expected)}, {mine!r}: its {what} not right (read the flags' values "
                "from the imported middleware, with Django's defaults when it has none)"[:300]
            )


ADAPTATION = re.compile(r"^\S+ django\.request (As|S)ynchronous handler adapted for middleware ([\w.]+?)\.?$")


def adaptations_found(context):
    lines = [match for line in context.server.log_lines("adapted for middleware") if (match := ADAPTATION.match(line))]
    expected = [match[2] for match in lines]
    got = report(context).get("adapted")
    if expected and got == expected:
        return
    if not isinstance(got, list):
        raise StepFailed(f'"adapted" should be a list of dotted paths, got {got!r}'[:200])
    kinds = {f"{kind}ynchronous" for kind, _ in (match.groups() for match in lines)}
    not_logged = [name for name in got if name not in expected]
    if not_logged:
        raise StepFailed(f"{not_logged[0]!r} is not named by any 'adapted for middleware' line of the server's log")
    if sorted(got) == sorted(expected):
        raise StepFailed("the right middlewares, but not in the order of the log's lines (keep every line, in order)")
    raise StepFailed(
        f"your audit found {len(got)} adaptation(s); the server's log has {len(expected)} 'adapted for middleware' "
        f"lines, of {len(kinds)} kinds ('Asynchronous handler ...' and 'Synchronous handler ...'): read both, "
        "every line, in order"
    )


def provoke_errors(context) -> list[str]:
    """Send the requests of PROVOKED in a random order, then LAST; return the modules that raised
    SynchronousOnlyOperation, once each, in the order the log shows them first."""
    order = [*random.sample(PROVOKED, len(PROVOKED)), LAST]
    for request, exception, _module in order:
        before = len(context.server.log_lines(exception))
        if request == LOGGED_IN:  # the mistake reads request.user only when there is a session to load it from
            context.server.client.get("/ping/async/", headers=context.server.login_headers("ada"))
        else:
            context.server.client.get(request)
        deadline = time.monotonic() + 5  # the traceback is logged before the answer; allow the file a moment anyway
        while len(context.server.log_lines(exception)) <= before and time.monotonic() < deadline:
            time.sleep(0.02)
    raised = [module for _, exception, module in order if exception == "SynchronousOnlyOperation"]
    return list(dict.fromkeys(raised))


def user_reader_found(context):
    expected = provoke_errors(context)
    got = report(context).get("reads_user")
    if got == expected:
        return
    if not isinstance(got, list):
        raise StepFailed(f'"reads_user" should be a list of module names, got {got!r}'[:200])
    other_types = {module: exception for _, exception, module in PROVOKED if exception != "SynchronousOnlyOperation"}
    for module in got:
        if module in other_types:
            raise StepFailed(
                f"{module!r}: the traceback whose last project frame is there ends with {other_types[module]}, not "
                "SynchronousOnlyOperation. Keep only the tracebacks whose exception line (the last, unindented one) "
                "is SynchronousOnlyOperation"
            )
        if module not in expected:
            raise StepFailed(
                f"{module!r} is not a project module where a SynchronousOnlyOperation was raised (take the last "
                '`File "..."` of each such traceback that is inside the project, not in site-packages)'
            )
    if sorted(set(got)) == sorted(expected):
        raise StepFailed("the right modules, but not once each, in the order the log's tracebacks show them")
    raise StepFailed(
        f"your audit found {len(got)} module(s); the log has tracebacks ending in SynchronousOnlyOperation from "
        f"{len(expected)} project modules (the checks made them raise just now): read every traceback of the log"
    )


# The labs' shared format, the same shape in every lab's checks.py: one Step(name, check, hint) per step.
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
        "find the lines 'Asynchronous handler adapted for middleware X.' and 'Synchronous ...', and keep each X",
    ),
    Step(
        "which project modules raised SynchronousOnlyOperation (from the log)",
        user_reader_found,
        'in each traceback ending with SynchronousOnlyOperation, take the last `File "..."` inside the project',
    ),
]
