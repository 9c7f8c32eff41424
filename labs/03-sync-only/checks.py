"""Checks of lab 03 (SynchronousOnlyOperation). Run them with `python -m labs check 03` or `nox -s lab -- 03`.

The server runs with DEBUG on and logs every SQL query with the thread that ran it, so the checks see what your
views do instead of trusting what they say: how many queries a request ran, and whether any ran on the event
loop's own thread (which Django refuses unless DJANGO_ALLOW_ASYNC_UNSAFE switches its guard off). Before they
compare data, the checks publish a draft chosen at random, through the project's own publish endpoint: the five
newest articles are then ones your code cannot have seen.
"""

import ast
import contextlib
import copy
import html
import random
import re
import runpy

from labs.runner import Step, StepFailed
from liveproject.databases import PROJECT_ROOT

A_METHODS = {"aget", "afirst", "alast", "acount", "aexists", "aiterator", "ain_bulk", "aaggregate"}
ROUTES = ("async-orm/", "sync-function/", "titles/")
# The project's own mistake (articles/views.py: async_titles_render): render() of a lazy queryset in an async
# view. With Django's guard on, it fails with SynchronousOnlyOperation; it answers 200 only if the guard is off.
GUARD_PROBE = "/articles/titles/render/"
# A query log line: "DEBUG django.db.backends [<thread>] (0.001) SELECT ...", and the access log line that the
# project's async middleware writes from the event loop's thread: "INFO config.access [<thread>] GET <path> ..."
QUERY_LINE = re.compile(r"^DEBUG django\.db\.backends \[(?P<thread>[^\]]+)\] \(", re.MULTILINE)
ACCESS_LINE = re.compile(r"^INFO config\.access \[(?P<thread>[^\]]+)\] GET (?P<path>\S+) ", re.MULTILINE)
UNSAFE_LESSON = (
    "Setting DJANGO_ALLOW_ASYNC_UNSAFE is not a fix: it switches Django's guard off, and every query then blocks the "
    "event loop, and with it every other request (chapter 04 measures it). Remove it, and fix whatever view then fails."
)


def logging_with_threads() -> dict:
    """The project's LOGGING, plus SQL queries (DEBUG) and access lines, each with the name of its thread."""
    logging = copy.deepcopy(runpy.run_path(str(PROJECT_ROOT / "config" / "settings.py"))["LOGGING"])
    logging["formatters"]["threaded"] = {"format": "%(levelname)s %(name)s [%(threadName)s] %(message)s"}
    logging["handlers"]["threaded"] = {"class": "logging.StreamHandler", "formatter": "threaded"}
    logging["loggers"]["django.db.backends"] = {"handlers": ["threaded"], "level": "DEBUG", "propagate": False}
    logging["loggers"]["config.access"] = {"handlers": ["threaded"], "level": "INFO", "propagate": False}
    return logging


@contextlib.contextmanager
def lab_fixture():
    # DEBUG on: Django logs queries only then (500s then answer with its debug page; the report quotes the log)
    yield {"settings": {"LOGGING": logging_with_threads()}, "server_options": {"debug": True}}


def newest_articles(context) -> list[dict]:
    """The five newest published articles, after the checks published a random draft (once per run)."""
    if "newest" not in context.extra:
        editor = context.server.login_headers("editor")  # staff: may publish, and sees every draft
        drafts = context.server.client.get("/articles/drafts/", headers=editor).json()["slugs"]
        published = context.server.client.post(f"/articles/async/{random.choice(drafts)}/publish/", headers=editor)
        if published.status_code != 200:
            raise RuntimeError(f"the checks could not publish a draft: {published.status_code} {published.text}")
        context.extra["newest"] = context.server.client.get("/articles/async/?page=1").json()["articles"][:5]
    return context.extra["newest"]


def get_and_watch(context, route):
    """GET one of the lab's routes; return the response, the threads its queries ran on, and the loop's thread."""
    server = context.server
    start = len(server.log_text())
    response = server.client.get(context.url(route))
    logged = server.log_text()[start:]
    loop = [m["thread"] for m in ACCESS_LINE.finditer(logged) if m["path"] == context.url(route)]
    return response, [m["thread"] for m in QUERY_LINE.finditer(logged)], (loop or ["MainThread"])[0]


def expect_articles(context, route):
    expected = [{"slug": row["slug"], "author": row["author"]} for row in newest_articles(context)]
    response = context.server.client.get(context.url(route))
    if response.status_code != 200:
        raise StepFailed(f"GET {context.url(route)} answered {response.status_code}")
    got = response.json().get("articles")
    if not isinstance(got, list) or not all(isinstance(row, dict) for row in got):
        raise StepFailed(f'"articles" should be a list of {{"slug": ..., "author": ...}} objects, got {got!r}'[:300])
    if [row.get("slug") for row in got] != [row["slug"] for row in expected]:
        raise StepFailed(
            f"{route} answered {len(got)} articles, not the five newest published ones, newest first (the checks "
            "published a draft a moment ago: it must come first). Read them from the database at request time."
        )
    wrong = [row["slug"] for row, truth in zip(got, expected, strict=True) if row != truth]
    if wrong:
        raise StepFailed(f"the right articles, but the author of {', '.join(wrong)} is wrong (or extra keys)")


def function(context, name):
    tree = ast.parse(context.source())
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            return tree, node
    raise StepFailed(f"{name} is missing from views.py")


def called(node, name) -> bool:
    """Whether the code under `node` calls `name` (as `name(...)` or `module.name(...)`)."""
    return any(
        isinstance(call, ast.Call) and getattr(call.func, "id", getattr(call.func, "attr", None)) == name
        for call in ast.walk(node)
    )


def async_orm_data(context):
    expect_articles(context, "async-orm/")


def reached_functions(tree: ast.Module, view) -> list:
    """`view`, and the module-level functions of the file it calls, directly or through one another."""
    defined = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    reached, waiting = [], [view]
    while waiting:
        node = waiting.pop()
        if node in reached:
            continue
        reached.append(node)
        names = {
            call.func.id for call in ast.walk(node) if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
        }
        waiting += [defined[name] for name in sorted(names) if name in defined]
    return reached


def async_orm_approach(context):
    tree, view = function(context, "newest_async_orm")
    functions = reached_functions(tree, view)  # a helper of yours that the view calls counts as the view
    uses_async_orm = any(
        (isinstance(node, ast.comprehension) and node.is_async)
        or isinstance(node, ast.AsyncFor)
        or (isinstance(node, ast.Attribute) and node.attr in A_METHODS)
        for function in functions
        for node in ast.walk(function)
    )
    handing_over = [function.name for function in functions if called(function, "sync_to_async")]
    if not uses_async_orm or handing_over:
        where = f" (sync_to_async is called in {', '.join(handing_over)})" if handing_over else ""
        raise StepFailed(
            "newest_async_orm should read with the async ORM (`async for`, a-methods), not sync_to_async, neither in "
            f"the view nor in a function of yours that it calls{where}"
        )


def async_orm_one_query(context):
    response, queries, _ = get_and_watch(context, "async-orm/")
    if response.status_code != 200:
        raise StepFailed(f"GET {context.url('async-orm/')} answered {response.status_code}")
    if len(queries) > 2:  # the articles, and the authors with them (prefetch_related would make it two)
        raise StepFailed(
            f"async-orm/ ran {len(queries)} queries for five articles, one more for each author: load the authors "
            "in the same query, with select_related('author')"
        )


def sync_function_data(context):
    expect_articles(context, "sync-function/")


def sync_function_approach(context):
    tree, view = function(context, "newest_sync_function")
    sync_functions = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    handed_over = [
        node.args[0].id
        for node in ast.walk(view)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "sync_to_async"
        and node.args
        and isinstance(node.args[0], ast.Name)
    ]
    if not any(name in sync_functions for name in handed_over):
        raise StepFailed("newest_sync_function should await sync_to_async(<a plain def of yours>)()")
    if any(isinstance(node, ast.comprehension) and node.is_async for node in ast.walk(view)):
        raise StepFailed("newest_sync_function should leave the querying to the sync function")


def titles_page(context):
    response = context.server.client.get(context.url("titles/"))
    if response.status_code != 200 or not response.headers.get("content-type", "").startswith("text/html"):
        raise StepFailed(f"GET {context.url('titles/')} should be an HTML page, got {response.status_code}")
    page = html.unescape(response.text)
    missing = [row["title"] for row in newest_articles(context) if row["title"] not in page]
    if missing:
        raise StepFailed(
            f"the page lacks {len(missing)} of the five newest titles (the checks published a draft a moment ago: "
            "its title must be there too)"
        )


def views_stay_async(context):
    """Each route's view, as urlpatterns names it, is still an `async def` (the lab fixes async views)."""
    tree = ast.parse(context.source())
    async_views = {node.name for node in tree.body if isinstance(node, ast.AsyncFunctionDef)}
    served = {
        call.args[0].value: call.args[1].id
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        and getattr(call.func, "id", None) == "path"
        and len(call.args) >= 2
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[1], ast.Name)
    }
    made_sync = [f"{served.get(route, '?')} ({route})" for route in ROUTES if served.get(route) not in async_views]
    if made_sync:
        raise StepFailed(
            f"{', '.join(made_sync)}: not an `async def` view. A sync view runs on a thread, so the error goes away "
            "without being fixed: the three views stay async, and their queries move off the event loop"
        )
    sync_functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    views = {node.name: node for node in tree.body if isinstance(node, ast.AsyncFunctionDef)}
    disguised = [
        f"{served[route]} ({route}) returns {target}(request)"
        for route in ROUTES
        for target in [forwarded_view(views[served[route]], sync_functions)]
        if target
    ]
    if disguised:
        raise StepFailed(
            f"{', '.join(disguised)} awaited through sync_to_async: a sync view behind an async wrapper. The plain "
            "def is the view, and it runs on a thread, so the error goes away without being fixed: the three views "
            "stay async, and only their queries move off the event loop"
        )


def forwarded_view(view, sync_functions: set) -> str | None:
    """The plain def of the file that the async `view` hands its request to and returns the response of
    (`return await sync_to_async(fn)(request)`): a sync view behind an async wrapper. None if there is none."""
    request = view.args.args[0].arg if view.args.args else "request"
    for node in ast.walk(view):
        value = node.value if isinstance(node, ast.Return) else None
        if not isinstance(value, ast.Await) or not isinstance(value.value, ast.Call):
            continue
        call, wrapper = value.value, value.value.func
        if not (
            isinstance(wrapper, ast.Call)
            and getattr(wrapper.func, "id", getattr(wrapper.func, "attr", None)) == "sync_to_async"
            and wrapper.args
        ):
            continue
        fn = wrapper.args[0]
        passes_request = any(isinstance(arg, ast.Name) and arg.id == request for arg in call.args)
        if isinstance(fn, ast.Name) and fn.id in sync_functions and passes_request:
            return fn.id
    return None


def guard_stays_on(context):
    for route in ROUTES:
        response, queries, loop = get_and_watch(context, route)
        if response.status_code == 200 and not queries:
            raise StepFailed(f"{route} answered without running a query: read the articles from the database")
        on_the_loop = queries.count(loop)
        if on_the_loop:
            raise StepFailed(
                f"{route} ran {on_the_loop} of its {len(queries)} queries on the event loop's thread "
                f"(status {response.status_code}), which Django allows only while DJANGO_ALLOW_ASYNC_UNSAFE is set. "
                + UNSAFE_LESSON
            )
    probe = context.server.client.get(GUARD_PROBE)
    if probe.status_code == 200:
        raise StepFailed(
            f"the project's {GUARD_PROBE}, which queries on the event loop, answered 200 instead of failing: "
            "DJANGO_ALLOW_ASYNC_UNSAFE is set in the server (by your views.py, or in your environment). "
            + UNSAFE_LESSON
        )


# The labs' shared format, the same shape in every lab's checks.py: one Step(name, check, hint) per step.
STEPS = [
    Step(
        "async-orm/ answers the five newest articles",
        async_orm_data,
        "`[... async for article in newest().select_related('author')]`: async iteration, authors loaded",
    ),
    Step(
        "async-orm/ uses the async ORM",
        async_orm_approach,
        "no sync_to_async in this one: `async for` over a queryset with select_related('author')",
    ),
    Step(
        "async-orm/ loads the authors in the same query",
        async_orm_one_query,
        "article.author is a lazy foreign key: select_related('author') joins it into the articles' query",
    ),
    Step(
        "sync-function/ answers the same articles",
        sync_function_data,
        "put the query and the loop in a plain def, and `return JsonResponse(... await sync_to_async(fn)())`",
    ),
    Step(
        "sync-function/ hands a sync function to sync_to_async",
        sync_function_approach,
        "define a `def` (not async) that returns the list, and await sync_to_async(that_function)()",
    ),
    Step(
        "titles/ renders the page",
        titles_page,
        "return a TemplateResponse (rendered later, on a thread), or evaluate the queryset with async for first",
    ),
    Step(
        "the three views stay async",
        views_stay_async,
        "keep `async def` on the three views: fix what they do, not what they are",
    ),
    Step(
        "no query runs on the event loop (Django's guard stays on)",
        guard_stays_on,
        "no DJANGO_ALLOW_ASYNC_UNSAFE: move the queries off the loop (async ORM, sync_to_async, TemplateResponse)",
    ),
]
