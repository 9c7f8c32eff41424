"""Checks of lab 01 (an async report). Run them with `python -m labs check 01` or `nox -s lab -- 01`.

Nothing the report says about itself is taken on trust. The checks time the requests themselves (three calls of
0.2 s cannot overlap in a request that takes 0.6 s, whatever duration_ms says), and before they compare the
slugs they add articles your code has not seen: a draft that keeps a publication date, and articles published in
an order that their ids, creation times and slugs do not follow. A separate Python process writes them through
the project's own models into the server's database; this process never sets Django up.
"""

import ast
import datetime as dt
import json
import random
import secrets

from labs.runner import Step, StepFailed, run_project_script
from labs.slow_io_checks import fastest_answer, judge_duration_ms, judge_three_concurrent_waits
from liveproject.evidence import measured

# pages.views.slow_io waits settings.SLOW_IO_SECONDS (0.2 s by default): the checks choose the wait at random for
# each run, so a view that fakes the wait (asyncio.sleep(0.2)) or its duration (duration_ms = 200.0) cannot match it.
SLOW_IO_SECONDS = round(random.uniform(0.25, 0.4), 3)
SERVER_SETTINGS = {"SLOW_IO_SECONDS": SLOW_IO_SECONDS}
A_METHODS = {"aget", "afirst", "alast", "acount", "aexists", "aiterator", "ain_bulk", "aaggregate", "acontains"}

# The seed publishes article-01 .. article-40 one day apart from this moment (articles/management/commands/).
SEED_FIRST_PUBLISHED = dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC)
SEED_LAST_PUBLISHED = SEED_FIRST_PUBLISHED + dt.timedelta(days=40)

ADD_ARTICLES = """
import datetime as dt, json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from articles.models import Article
author = get_user_model().objects.get(username="grace")
for row in json.loads(sys.argv[1]):  # in this order: the later a row, the higher its id
    Article.objects.create(
        slug=row["slug"], title=row["slug"], status=row["status"], author=author,
        published_at=dt.datetime.fromisoformat(row["published_at"]),
        **({"created_at": dt.datetime.fromisoformat(row["created_at"])} if row["created_at"] else {}),
    )
"""


def unseen_articles() -> list[dict]:
    """Three articles with random slugs and times, in the order they are created.

    - `newest`: published last of all, but created before every seeded article (so not first by creation time);
    - `middle`: published among the ten newest, but created now and given the highest id of the published ones
      (so first by id and by creation time, where it does not belong); the slugs of both sort after the seeded
      `article-NN` ones, so an order by slug is wrong too;
    - `draft`: not published, yet it has the newest publication date (an article taken back after publishing).
    """
    token = secrets.token_hex(3)
    newest = SEED_LAST_PUBLISHED + dt.timedelta(hours=random.randint(2, 48))
    middle = SEED_LAST_PUBLISHED - dt.timedelta(days=random.randint(3, 7), hours=12)
    return [
        {"slug": f"report-check-{token}-a", "status": "published", "published_at": newest.isoformat(),
         "created_at": (SEED_FIRST_PUBLISHED - dt.timedelta(days=10)).isoformat()},
        {"slug": f"report-check-{token}-b", "status": "published", "published_at": middle.isoformat(),
         "created_at": None},
        {"slug": f"report-check-{token}-c", "status": "draft",
         "published_at": (newest + dt.timedelta(days=1)).isoformat(), "created_at": None},
    ]  # fmt: skip


def add_unseen_articles(context) -> None:
    """Write unseen_articles() into the server's database once (a separate process, the project's models)."""
    if context.extra.get("unseen_articles_added"):
        return
    rows = json.dumps(unseen_articles())
    run_project_script(ADD_ARTICLES, rows, database_url=context.server.database_url, what="adding the checks' articles")
    context.extra["unseen_articles_added"] = True


def get_report(context, **headers):
    response = context.server.client.get(context.url("report/"), headers=headers)
    if response.status_code != 200:
        raise StepFailed(f"GET {context.url('report/')} answered {response.status_code}: {response.text[:200]}")
    return response


def view_is_async(context):
    if not context.is_async_function("async_report"):
        raise StepFailed("async_report is not defined with `async def`")


def io_calls_in_order(context):
    io = get_report(context).json().get("io")
    if not isinstance(io, list) or len(io) != 3:
        raise StepFailed(f"io should hold the three results of slow_io(1), slow_io(2) and slow_io(3); got {io!r}")
    wrong = [n for n, result in enumerate(io, start=1) if not isinstance(result, dict) or result.get("task") != n]
    if wrong or not all(result.get("done") is True for result in io):
        raise StepFailed(f"io should be what slow_io(1), slow_io(2) and slow_io(3) return, in that order; got {io!r}")


def io_calls_concurrent(context):
    wait = SLOW_IO_SECONDS
    elapsed, response, tries = fastest_answer(lambda: get_report(context), wait)
    judge_three_concurrent_waits(elapsed, wait, tries, request="the report", requests="reports", what="view")
    # The view runs inside the project's timing middleware, which reports its own measurement.
    judge_duration_ms(response.json().get("duration_ms"), wait, response, elapsed, what="view")


def slugs_from_the_database(context):
    add_unseen_articles(context)
    slugs = get_report(context).json().get("slugs")
    truth = context.server.client.get("/articles/async/slugs/").json()["slugs"][:10]  # the project's own view
    if slugs == truth:
        slugs_read_with_the_async_orm(context)
        return
    if not isinstance(slugs, list) or not all(isinstance(slug, str) for slug in slugs):
        raise StepFailed(f"slugs should be a list of article slugs, got {slugs!r}"[:300])
    editor = context.server.login_headers("editor")  # staff: the project's draft list shows every draft
    drafts = set(context.server.client.get("/articles/drafts/", headers=editor).json()["slugs"])
    published = set(context.server.client.get("/articles/async/slugs/").json()["slugs"])
    included = [slug for slug in slugs if slug in drafts]
    if included:
        raise StepFailed(
            f"slugs include {len(included)} draft(s), e.g. {measured(repr(included[0]))}: the report lists published "
            "articles only, Article.objects.published() (a draft may have a publication date: the checks added one)"
        )
    unknown = [slug for slug in slugs if slug not in published]
    if unknown:
        raise StepFailed(f"{unknown[0]!r} is not the slug of a published article: read the slugs from the database")
    if len(slugs) != 10:
        raise StepFailed(f"the report should list the 10 newest published articles; it lists {len(slugs)}")
    if set(slugs) != set(truth):
        raise StepFailed(
            "slugs are not the 10 most recently published articles (the checks added articles whose publication "
            "order differs from their id, creation time and slug order): order by publication time, newest first"
        )
    raise StepFailed(
        "the right 10 articles, in the wrong order (the checks added articles whose publication order differs "
        "from their id, creation time and slug order): order by publication time, newest first"
    )


def reached_functions(tree: ast.Module, name: str) -> list:
    """The module-level function `name`, and the functions of the same module it calls, directly or not."""
    defined = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    reached, waiting = [], [name]
    while waiting:
        node = defined.get(waiting.pop())
        if node is None or node in reached:
            continue
        reached.append(node)
        waiting += [
            call.func.id for call in ast.walk(node) if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
        ]
    return reached


def slugs_read_with_the_async_orm(context):
    """The slugs are right; read the code (ast) for how: the server cannot tell the async ORM from a query run on
    a worker thread through sync_to_async."""
    functions = reached_functions(ast.parse(context.source()), "async_report")
    nodes = [node for function in functions for node in ast.walk(function)]
    uses_async_orm = any(
        (isinstance(node, ast.comprehension) and node.is_async)
        or isinstance(node, ast.AsyncFor)
        or (isinstance(node, ast.Attribute) and node.attr in A_METHODS)
        for node in nodes
    )
    handed_over = any(
        isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "sync_to_async"
        for node in nodes
    )
    if handed_over or not uses_async_orm:
        raise StepFailed(
            "the slugs are right, but async_report does not read them with the async ORM: iterate the queryset "
            "with `async for` (or an a-method such as aget()), not through sync_to_async, which runs the query on "
            "a worker thread"
        )


def headers_present(context):
    response = get_report(context, **{"X-Request-Id": "lab-01-check"})
    if response.headers.get("X-Request-Id") != "lab-01-check" or "X-MW-Duration-Ms" not in response.headers:
        raise StepFailed("the project's middleware headers X-Request-Id and X-MW-Duration-Ms are missing")


def wrong_method_refused(context):
    logged_in = context.server.login_headers("reader")  # a valid session and CSRF token: only the method is wrong
    response = context.server.client.post(context.url("report/"), headers=logged_in)
    if response.status_code != 405:
        raise StepFailed(f"POST should be refused with 405, got {response.status_code}")


# The labs' shared format, the same shape in every lab's checks.py: one Step(name, check, hint) per step.
STEPS = [
    Step("the view is async", view_is_async, "define the view with `async def` so it runs on the event loop"),
    Step(
        "three I/O results, in order",
        io_calls_in_order,
        "await asyncio.gather(slow_io(1), slow_io(2), slow_io(3)): gather returns the results in the order given",
    ),
    Step(
        "the I/O calls overlap, and duration_ms says so",
        io_calls_concurrent,
        "gather the three calls instead of awaiting them one by one, so they wait concurrently; measure with "
        "time.perf_counter() and convert seconds to milliseconds",
    ),
    Step(
        "the 10 newest published slugs, from the database",
        slugs_from_the_database,
        "keep published articles only (Article.objects.published()), newest publication first "
        "(order_by('-published_at')), slice [:10], and read the queryset with `async for` (the async ORM)",
    ),
    Step(
        "request-id and timing headers present",
        headers_present,
        "keep the project's middleware: return a normal response",
    ),
    Step("POST is refused with 405", wrong_method_refused, "keep @require_GET on the view"),
]
