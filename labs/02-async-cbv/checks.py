"""Checks of lab 02 (async class-based views). Run them with `python -m labs check 02` or `nox -s lab -- 02`.

Nothing a view says about itself is taken on trust. The checks time the requests themselves, and send several at
once to see that they overlap; they change the drafts (publishing some of ada's through the project's own endpoint)
before they ask for a count; and to see where each view runs, they ask Django, in a separate Python process that
imports your views.py, the question it asks before every request: is this view a coroutine function (run on the
event loop) or not (run on a worker thread)? This process never sets Django up.
"""

import ast
import json
import random
import threading
import time

import httpx

from labs.runner import Step, StepFailed, run_project_script
from labs.slow_io_checks import fastest_answer, judge_duration_ms, judge_three_concurrent_waits
from liveproject.evidence import measured

# pages.views.slow_io waits settings.SLOW_IO_SECONDS (0.2 s by default): the checks choose the wait at random for
# each run, so a handler that fakes the wait (asyncio.sleep(0.2)) or its duration (a constant) cannot match it.
SLOW_IO_SECONDS = round(random.uniform(0.25, 0.4), 3)
SERVER_SETTINGS = {"SLOW_IO_SECONDS": SLOW_IO_SECONDS}
AT_ONCE = 6  # requests sent together: overlapping, they take about as long as one; blocking, 6 x 0.2 s more
OVERLAP_SLACK = 0.6  # half of what six requests blocking the event loop for 0.2 s each (time.sleep(0.2)) add
HTTP_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "trace", "dispatch"}

HOW_DJANGO_RUNS_THEM = """
import json, sys
from pathlib import Path
import django
django.setup()
from asgiref.sync import iscoroutinefunction  # what Django asks before it calls a view
from labs.loading import load_lab_views
try:
    module = load_lab_views(Path(sys.argv[1]), sys.argv[2])
except Exception as error:
    print(json.dumps({"error": f"{type(error).__name__}: {error}"}))
else:
    views = {}
    for pattern in module.urlpatterns:
        view_class = getattr(pattern.callback, "view_class", None)
        views[view_class.__name__ if view_class else pattern.callback.__name__] = iscoroutinefunction(pattern.callback)
    print(json.dumps({"views": views}))
"""


def logged_in(context, username: str) -> dict:
    """The headers of a session of `username` (a session cookie and its CSRF token), one login per user per run:
    a login hashes the password, which takes a good part of a second."""
    sessions = context.extra.setdefault("sessions", {})
    if username not in sessions:
        sessions[username] = context.server.login_headers(username)
    return sessions[username]


def get_ok(context, path, headers=None):
    response = context.server.client.get(context.url(path), headers=headers)
    if response.status_code != 200:
        raise StepFailed(f"GET {context.url(path)} answered {response.status_code}: {response.text[:200]}")
    return response


def tasks_concurrent(context):
    wait = SLOW_IO_SECONDS
    elapsed, response, tries = fastest_answer(lambda: get_ok(context, "tasks/"), wait)
    data = response.json()
    results = data.get("results")
    rows = results if isinstance(results, list) and all(isinstance(row, dict) for row in results) else []
    if [row.get("task") for row in rows] != [1, 2, 3] or not all(row.get("done") is True for row in rows):
        raise StepFailed(
            f"results should be what slow_io(1), slow_io(2) and slow_io(3) return, in that order; got {results!r}"
        )
    judge_three_concurrent_waits(elapsed, wait, tries, request="GET /tasks/", requests="GET /tasks/", what="handler")
    judge_duration_ms(data.get("duration_ms"), wait, response, elapsed, what="handler")


def requests_overlap(context):
    started = time.perf_counter()
    get_ok(context, "tasks/")
    alone = time.perf_counter() - started
    together = threading.Barrier(AT_ONCE)
    answers = [None] * AT_ONCE

    def one(index):
        with httpx.Client(base_url=context.server.url, timeout=10) as client:
            together.wait(timeout=10)
            started = time.perf_counter()
            try:
                status = client.get(context.url("tasks/")).status_code
            except httpx.HTTPError as error:
                status = type(error).__name__
            answers[index] = (started, time.perf_counter(), status)

    threads = [threading.Thread(target=one, args=(index,)) for index in range(AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    if any(answer is None or answer[2] != 200 for answer in answers):
        raise StepFailed(f"{AT_ONCE} GET /tasks/ sent at once answered {[a and a[2] for a in answers]}")
    # Requests that overlap take together about as long as one alone. A handler that blocks the event loop for
    # 0.2 s holds up every other request meanwhile: six of them need at least six such blocks, one after another.
    took = max(end for _, end, _ in answers) - min(start for start, _, _ in answers)
    if took >= alone + OVERLAP_SLACK:
        raise StepFailed(
            f"{AT_ONCE} GET /tasks/ sent at once took {measured(took, 's', digits=2)} together, where one alone "
            f"took {measured(alone, 's', digits=2)}: "
            "they did not overlap. The handler blocks the event loop (time.sleep, or another sync call, stops "
            "every request the server is running), so the requests ran one after another"
        )


def wrong_methods(context):
    headers = logged_in(context, "ada")  # a valid session and CSRF token: only the method is wrong
    for method in ("POST", "PUT", "DELETE"):
        response = context.server.client.request(method, context.url("tasks/"), headers=headers)
        if response.status_code != 405:
            raise StepFailed(f"{method} should be refused with 405, got {response.status_code} {response.text[:120]}")
        allowed = response.json().get("allowed", [])
        if "GET" not in allowed or method in allowed:
            raise StepFailed(f"the 405 for {method} should list GET as allowed, and not {method}: {allowed}")


def anonymous_refused(context):
    response = context.server.client.get(context.url("my-drafts/"))
    is_json = response.headers.get("content-type", "").startswith("application/json")
    if 300 <= response.status_code < 400:
        raise StepFailed(
            f"an anonymous GET was redirected ({response.status_code} to {response.headers.get('location')}), as "
            "Django's login_required and LoginRequiredMixin do for browsers; this JSON endpoint answers 401"
        )
    if response.status_code != 401 or not is_json or "error" not in response.json():
        raise StepFailed(
            f"an anonymous GET should be a 401 with a JSON error, got {response.status_code} {response.text[:120]}"
        )


def publish_some_of_adas_drafts(context) -> None:
    """Publish one to three of ada's drafts, chosen at random, through the project's own endpoint: her count is
    then not the seeded one, and only a count read from the database for the logged-in user matches it."""
    if context.extra.get("drafts_changed"):
        return
    ada_drafts = context.server.client.get("/articles/drafts/", headers=logged_in(context, "ada")).json()
    editor = logged_in(context, "editor")  # staff: may publish
    for slug in random.sample(ada_drafts["slugs"], random.randint(1, 3)):
        published = context.server.client.post(f"/articles/async/{slug}/publish/", headers=editor)
        if published.status_code != 200:
            raise RuntimeError(f"the checks could not publish {slug}: {published.status_code} {published.text[:200]}")
    context.extra["drafts_changed"] = True


def logged_in_drafts(context):
    publish_some_of_adas_drafts(context)
    for username in ("ada", "grace"):
        headers = logged_in(context, username)
        data = get_ok(context, "my-drafts/", headers=headers).json()
        truth = context.server.client.get("/articles/drafts/", headers=headers).json()["count"]  # the project's view
        if not isinstance(data, dict) or data.get("username") != username:
            raise StepFailed(f"logged in as {username}, the answer should name that user; got {data!r}")
        if data.get("drafts") != truth or set(data) != {"username", "drafts"}:
            raise StepFailed(
                f"logged in as {username}, the answer was {measured(repr(data))}: drafts should count that user's "
                "own drafts (status draft, author the logged-in user), read from the database at the time of the "
                "request (the checks published some of ada's drafts first)"
            )


def views_async(context):
    printed = run_project_script(
        HOW_DJANGO_RUNS_THEM, str(context.folder), context.code, database_url=context.server.database_url
    )
    answer = json.loads(printed)
    if "error" in answer:
        raise StepFailed(f"Django could not import your views: {answer['error'][:300]}")
    sync = [name for name, is_async in answer["views"].items() if not is_async]
    if sync:
        raise StepFailed(
            f"{', '.join(sync)}: a sync view. Django runs it on a worker thread, not on the event loop, one thread "
            "per request in flight; define every handler of the class with `async def`"
        )
    if len(answer["views"]) < 2:
        raise StepFailed(f"the lab's URLs should route ConcurrentTasksView and MyDraftsView; found {answer['views']}")
    disguised = sync_handlers_in_disguise(ast.parse(context.source()))
    if disguised:
        handler, target = disguised[0]
        raise StepFailed(
            f"{handler} is `async def`, but all it awaits is sync_to_async({target}), a plain def: a sync view in "
            "disguise, run on a worker thread. The handler must await the async ORM and request.auser(), not run a "
            "sync view on a thread"
        )


def sync_handlers_in_disguise(tree: ast.Module) -> list[tuple[str, str]]:
    """(Class.handler, what it forwards to) for each async handler of a class whose every `await` is of
    sync_to_async(<a plain def of the file>)(...): Django runs it on the loop, yet all its work runs on a thread."""
    module_defs = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    found = []
    for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
        methods = {node.name for node in cls.body if isinstance(node, ast.FunctionDef)}
        for handler in cls.body:
            if not isinstance(handler, ast.AsyncFunctionDef) or handler.name not in HTTP_METHODS:
                continue
            awaited = [node.value for node in ast.walk(handler) if isinstance(node, ast.Await)]
            targets = [sync_to_async_target(value, module_defs, methods) for value in awaited]
            if awaited and all(targets):
                found.append((f"{cls.name}.{handler.name}", targets[0]))
    return found


def sync_to_async_target(value, module_defs: set, methods: set) -> str | None:
    """The plain def that `value`, sync_to_async(fn, ...)(...), runs on a thread (fn: a module function or
    self.method of the class), or None for anything else."""
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Call) and value.func.args):
        return None
    wrapper = value.func
    if getattr(wrapper.func, "id", getattr(wrapper.func, "attr", None)) != "sync_to_async":
        return None
    fn = wrapper.args[0]
    if isinstance(fn, ast.Name) and fn.id in module_defs:
        return fn.id
    if (
        isinstance(fn, ast.Attribute)
        and isinstance(fn.value, ast.Name)
        and fn.value.id == "self"
        and fn.attr in methods
    ):
        return f"self.{fn.attr}"
    return None


# The labs' shared format, the same shape in every lab's checks.py: one Step(name, check, hint) per step.
STEPS = [
    Step(
        "GET /tasks/: three calls at once, with duration_ms",
        tasks_concurrent,
        "await asyncio.gather(slow_io(1), slow_io(2), slow_io(3)), so the three waits are concurrent; a sync "
        "handler next to async ones makes Django refuse the whole class (ImproperlyConfigured), which takes this "
        "lab's URLs down",
    ),
    Step(
        "several GET /tasks/ at once overlap",
        requests_overlap,
        "an async handler must never block the event loop: await asyncio-based waits (slow_io), never time.sleep "
        "or other sync calls",
    ),
    Step("other methods get 405 listing GET", wrong_methods, "define only `get`: Django answers the rest with 405"),
    Step(
        "an anonymous user gets 401",
        anonymous_refused,
        "Django's LoginRequiredMixin has a sync dispatch(); use config.mixins.AsyncLoginRequiredMixin, or "
        "`await request.auser()` in an async dispatch()",
    ),
    Step(
        "a logged-in user gets their own draft count",
        logged_in_drafts,
        "read the user with `await request.auser()` (or after the async mixin loaded it), filter the drafts by "
        "that author, then count with acount()",
    ),
    Step(
        "both views are async",
        views_async,
        "a sync view works under ASGI, but on a thread: write both views' handlers with `async def`",
    ),
]
