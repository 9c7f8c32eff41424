"""Checks for the chapters' exercises: call one with your answer; it says "correct" or gives a hint.

Each check works out the right answer on its own (from the project's code, its seed data or the server's
log), never from the solution cell, so a wrong answer fails whichever way it was produced.
"""

from __future__ import annotations

import asyncio
import inspect
import re

from liveproject.evidence import emit


class NotYet(AssertionError):
    """Your answer is not right yet; the message says what to look at."""


def _verdict(exercise: str, ok: bool, hint: str) -> None:
    if not ok:
        raise NotYet(f"{exercise}: not yet. {hint}")
    emit("exercise", f"{exercise}: correct", exercise=exercise)


# --- Chapter 00 ---------------------------------------------------------------------------------------


def check_00_request_logged(server, line: str, request_id: str) -> None:
    """Exercise 00.1: `line` is the access-log line, from `server`'s own log, of your GET /async-status/ sent
    with the header X-Request-Id: `request_id`."""
    pattern = r"INFO config\.access GET /async-status/ 200 \d+\.\dms id=" + re.escape(str(request_id))
    logged = [entry for entry in server.log_lines() if re.fullmatch(pattern, entry)]
    ok = isinstance(line, str) and line in logged  # the server wrote it: a line typed by hand is not in its log
    _verdict(
        "Exercise 00.1",
        ok,
        f"The server logged {len(logged)} GET /async-status/ line(s) with id={request_id}. Send GET /async-status/ "
        "with the header X-Request-Id set to your id, then take the line containing 'id=<your id>' from "
        "server.log_lines() (or server.wait_for_log(...)). The id must be plain (letters, digits, '.', '_', '-') "
        "or the server replaces it.",
    )


def check_00_draft_count(count) -> None:
    """Exercise 00.2: the number of draft articles, counted with the async ORM."""
    from articles.management.commands.seed_articles import ARTICLE_COUNT, PUBLISHED_COUNT

    _verdict(
        "Exercise 00.2",
        count == ARTICLE_COUNT - PUBLISHED_COUNT,
        "Filter on status='draft' (Article.Status.DRAFT) and await .acount(); a count of every article or of "
        "the published ones answers a different question.",
    )


def project_endpoints() -> list[tuple[str, object]]:
    """(route, view callable) for every URL of the project outside the admin and the labs (whose views are
    the students' code, served under /labs/ while they work on them)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if not route.startswith(("admin/", "labs/")):
                    yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield "/" + route, pattern.callback

    return list(walk(get_resolver().url_patterns, ""))


def _defined_with_async_def(view) -> bool:
    # Independent of Django's markers: look at the function the decorators wrap, or the CBV's handlers.
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        handlers = [
            getattr(view_class, m) for m in view_class.http_method_names if m != "options" and hasattr(view_class, m)
        ]
        return all(inspect.iscoroutinefunction(inspect.unwrap(h)) for h in handlers)
    return inspect.iscoroutinefunction(inspect.unwrap(view))


def check_00_sync_endpoints(routes) -> None:
    """Exercise 00.3: the routes (e.g. '/ping/sync/') of every endpoint whose view is synchronous."""
    truth = sorted(route for route, view in project_endpoints() if not _defined_with_async_def(view))
    answer = sorted(routes) if isinstance(routes, list | tuple | set) else routes
    _verdict(
        "Exercise 00.3",
        answer == truth,
        f"Expected {len(truth)} routes. Walk the URLconf as the tour does and keep the views for which "
        "asgiref.sync.iscoroutinefunction(view) is False; skip the admin.",
    )


# --- Chapter 01 ---------------------------------------------------------------------------------------


def check_01_gthread_prediction(seconds) -> None:
    """Exercise 01.1: predicted batch time of 12 concurrent 0.2 s waits on gunicorn gthread, 1 worker x 4 threads."""
    requests, threads, wait = 12, 4, 0.2
    expected = -(-requests // threads) * wait  # ceil(12 / 4) rounds of 0.2 s
    ok = isinstance(seconds, int | float) and abs(seconds - expected) < 0.01
    _verdict(
        "Exercise 01.1",
        ok,
        "Four threads serve four waits at a time; count the rounds (round up) and multiply by the wait.",
    )


def check_01_threads_per_request(extra_threads, server) -> None:
    """Exercise 01.2: the extra threads you measured on `server` (uvicorn) while 8 sync requests of 0.5 s waited.

    The check sends the same 8 requests itself and compares your number with the thread count it measures.
    """
    from liveproject.load import burst, peak_during

    in_flight = 8
    idle = server.idle_thread_count()
    _, peak = peak_during(server.thread_count, lambda: burst(server, "/wait/sync/?seconds=0.5", in_flight))
    measured_here = peak - idle
    ok = isinstance(extra_threads, int) and not isinstance(extra_threads, bool)
    ok = ok and extra_threads >= in_flight and abs(extra_threads - measured_here) <= 3
    _verdict(
        "Exercise 01.2",
        ok,
        f"The check measured {measured_here} extra threads for {in_flight} requests in flight; you gave "
        f"{extra_threads!r}. Send the 8 requests to /wait/sync/?seconds=0.5 and sample server.thread_count while "
        "they wait: peak_during(server.thread_count, ...) minus server.idle_thread_count() from before. Expect "
        "about one thread per request in flight.",
    )


def check_01_cpu_bound(answer) -> None:
    """Exercise 01.3: which configuration finishes 8 CPU-bound requests soonest: "a", "b" or "c"."""
    _verdict(
        "Exercise 01.3",
        answer == "c",
        "An event loop computes one request at a time, and threads take turns holding the GIL; only separate "
        "processes can compute on two cores at once.",
    )


# --- Chapter 02 ---------------------------------------------------------------------------------------


def check_02_fan_out_prediction(seconds) -> None:
    """Exercise 02.1: predicted duration of /fan-out/ with six 0.3 s calls and concurrency=2."""
    calls, concurrency, delay = 6, 2, 0.3
    expected = -(-calls // concurrency) * delay
    ok = isinstance(seconds, int | float) and abs(seconds - expected) < 0.01
    _verdict(
        "Exercise 02.1",
        ok,
        "The semaphore lets `concurrency` calls run at once; the others wait for a free slot. Count the rounds.",
    )


def check_02_partial_failure(data) -> None:
    """Exercise 02.2: the JSON of a /fan-out/ answer in which one call timed out and one failed."""
    ok = False
    if isinstance(data, dict) and isinstance(data.get("calls"), list) and isinstance(data.get("summary"), dict):
        outcomes = [call.get("outcome") for call in data["calls"]]
        ok = (
            outcomes.count("timeout") == 1
            and outcomes.count("error") == 1
            and outcomes.count("ok") >= 1
            and data["summary"] == {"ok": outcomes.count("ok"), "error": 1, "timeout": 1}
        )
    _verdict(
        "Exercise 02.2",
        ok,
        "Give one call a delay longer than `timeout`, one call a failing status (e.g. 503) in `statuses`, and "
        "at least one call that succeeds; pass response.json().",
    )


async def check_02_settle(settle) -> None:
    """Exercise 02.3: `settle(coroutines)` returns each result or exception, in order, running them concurrently
    and without cancelling the others when one fails. Use it as `await check_02_settle(settle)`."""
    import asyncio
    import time

    async def value_after(value, delay):
        await asyncio.sleep(delay)
        return value

    async def failure_after(delay):
        await asyncio.sleep(delay)
        raise ValueError("this one fails")

    started = time.perf_counter()
    try:
        results = await settle([value_after(1, 0.1), failure_after(0.1), value_after(3, 0.2)])
    except BaseException as exc:  # an exception escaping settle() is the wrong answer, reported as a hint
        results = exc
    elapsed = time.perf_counter() - started
    ok = (
        isinstance(results, list | tuple)
        and len(results) == 3
        and results[0] == 1
        and isinstance(results[1], ValueError)
        and results[2] == 3
        and 0.19 <= elapsed < 0.3  # the slowest call alone (0.2 s), not the sum of all three (0.4 s)
    )
    _verdict(
        "Exercise 02.3",
        ok,
        "Run the coroutines concurrently and keep going when one fails: asyncio.gather(*coroutines, "
        "return_exceptions=True) returns results and exceptions in order. A TaskGroup cancels the others instead.",
    )


# --- Chapter 03 ---------------------------------------------------------------------------------------


EXERCISE_03_CLASSES = ("Mixed", "AllAsync", "AsyncWithSyncOptions")


def check_03_valid_classes(names, classes) -> None:
    """Exercise 03.1: `names` are the classes among `classes` (the exercise's Mixed, AllAsync and
    AsyncWithSyncOptions) that make a valid view. The truth comes from calling as_view() on each class given."""
    from django.core.exceptions import ImproperlyConfigured
    from django.views import View

    classes = list(classes) if isinstance(classes, list | tuple | set) else []
    given = sorted(getattr(cls, "__name__", "") for cls in classes)
    if given != sorted(EXERCISE_03_CLASSES) or not all(
        isinstance(cls, type) and issubclass(cls, View) for cls in classes
    ):
        _verdict(
            "Exercise 03.1",
            False,
            "Pass the exercise's three classes as the second argument: "
            "check_03_valid_classes(names, [Mixed, AllAsync, AsyncWithSyncOptions]).",
        )
    valid = set()
    for cls in classes:
        try:
            cls.as_view()
        except ImproperlyConfigured:
            continue
        valid.add(cls.__name__)
    _verdict(
        "Exercise 03.1",
        isinstance(names, set | list | tuple) and set(names) == valid,
        "All handlers must be sync or all async, except options(), which Django leaves out of the check. "
        "Try SomeClass.as_view() on each.",
    )


async def check_03_all_published_slugs(slugs) -> None:
    """Exercise 03.2: every published slug, collected page by page from /articles/async/ (newest first).
    Use it as `await check_03_all_published_slugs(slugs)`; it compares with the database."""
    from articles.models import Article

    truth = [
        slug
        async for slug in Article.objects.published()
        .order_by("-published_at", "-created_at")
        .values_list("slug", flat=True)
    ]
    _verdict(
        "Exercise 03.2",
        isinstance(slugs, list) and slugs == truth,
        f"Expected {len(truth)} slugs in the list's order. Ask for ?page=1, 2, ... until a page comes back "
        "empty, and keep each article's 'slug'.",
    )


def check_03_grace_drafts(data) -> None:
    """Exercise 03.3: the JSON of /articles/drafts/ for the user grace (logged in through /auth/login/)."""
    from articles.management.commands.seed_articles import ARTICLE_COUNT, AUTHORS, PUBLISHED_COUNT

    mine = [
        f"article-{i:02d}"
        for i in range(PUBLISHED_COUNT + 1, ARTICLE_COUNT + 1)
        if AUTHORS[(i - 1) % len(AUTHORS)] == "grace"
    ]
    _verdict(
        "Exercise 03.3",
        data == {"count": len(mine), "slugs": mine},
        "Log in as grace (server.login('grace') gives a logged-in httpx client) and GET /articles/drafts/; "
        "pass response.json(). Anonymous requests get 401, and editor (staff) sees every draft.",
    )


# --- Chapter 04 ---------------------------------------------------------------------------------------

CANDIDATE_QUERYSET_METHODS = ["aall", "acount", "avalues_list", "aaggregate", "aget_or_create", "afilter", "ain_bulk"]


def check_04_existing_methods(names) -> None:
    """Exercise 04.1: which of CANDIDATE_QUERYSET_METHODS exist on Django's QuerySet."""
    from asgiref.sync import iscoroutinefunction
    from django.db.models import QuerySet

    truth = {name for name in CANDIDATE_QUERYSET_METHODS if iscoroutinefunction(getattr(QuerySet, name, None))}
    _verdict(
        "Exercise 04.1",
        isinstance(names, set | list | tuple) and set(names) == truth,
        "Only methods that run a query have an a-version; methods that build a queryset (filter, all, "
        "values_list) return a lazy queryset and need none. Check with hasattr(QuerySet, name).",
    )


def check_04_article_with_author(article) -> None:
    """Exercise 04.2: article-05, loaded with one async ORM call so that article.author needs no query."""
    from articles.management.commands.seed_articles import AUTHORS
    from articles.models import Article

    _verdict(
        "Exercise 04.2",
        isinstance(article, Article)
        and article.slug == "article-05"
        and Article.author.is_cached(article)
        and article.author.username == AUTHORS[(5 - 1) % len(AUTHORS)],  # the seed's rule for article 5
        "Use select_related('author') in the same query: await Article.objects.select_related('author').aget(...).",
    )


async def check_04_drafts_per_author(count_drafts) -> None:
    """Exercise 04.3: `count_drafts` is your async function, with no arguments, that returns {username: number of
    drafts} for every author of a draft and crosses the sync/async boundary once. Use the check with await.

    The check calls your function itself and counts the crossings (liveproject.kernel.counting_crossings) while
    it awaits the result, so both the answer and the single crossing are measured, not reported.
    """
    from django.core.exceptions import SynchronousOnlyOperation
    from django.db.models import Count

    from articles.models import Article
    from liveproject.kernel import counting_crossings

    rows = Article.objects.filter(status=Article.Status.DRAFT).values("author__username").annotate(n=Count("id"))
    truth = {row["author__username"]: row["n"] async for row in rows}  # before counting: not the student's hops
    if inspect.iscoroutine(count_drafts):
        count_drafts.close()  # called already: its crossings could no longer be counted
    with counting_crossings() as crossings:  # the call itself too: sync_to_async(f)() hands f over when called
        try:
            awaitable = count_drafts() if callable(count_drafts) else None
        except SynchronousOnlyOperation:  # a sync function that queried the database right here, in async code
            awaitable = None
        if inspect.isawaitable(awaitable):
            counts = await awaitable
    if not inspect.isawaitable(awaitable):
        _verdict(
            "Exercise 04.3",
            False,
            "Pass your async function itself (no arguments, and not called: the check calls it, awaits it and "
            "counts its crossings). sync_to_async(your_sync_function) is such a function.",
        )
    if counts != truth:
        hint = (
            "Count drafts grouped by author, for every author who has drafts; one sync function with the queries, "
            "run through one sync_to_async, or one aggregate query with the async ORM."
        )
    else:
        hint = (
            f"The counts are right, but your function crossed the sync/async boundary {len(crossings)} times "
            f"({', '.join(crossings) or 'never'}). Put all the queries in one sync function and await it through "
            "one sync_to_async, or ask one aggregate query with the async ORM."
        )
    _verdict("Exercise 04.3", counts == truth and len(crossings) == 1, hint)


# --- Chapter 05 ---------------------------------------------------------------------------------------


def check_05_audit(rows) -> None:
    """Exercise 05.1: for settings.MIDDLEWARE, a list of (dotted path, runs natively under ASGI) in stack order.

    "Natively" means no sync_to_async hop on an ordinary request: it is async-capable and has none of the hooks
    Django runs on every request (process_request, process_view, process_response). A process_exception hook
    only runs when a view raises, so it costs nothing on a request that succeeds.
    """
    from django.conf import settings
    from django.utils.module_loading import import_string

    hooks = ("process_request", "process_view", "process_response")
    truth = []
    for path in settings.MIDDLEWARE:
        middleware = import_string(path)
        async_capable = getattr(middleware, "async_capable", False)
        truth.append((path, bool(async_capable) and not any(hasattr(middleware, hook) for hook in hooks)))
    answer = [tuple(row) for row in rows] if isinstance(rows, list | tuple) else rows
    _verdict(
        "Exercise 05.1",
        answer == truth,
        "Import each path in settings.MIDDLEWARE; a middleware runs natively when async_capable is True and it "
        "has no process_request, process_view or process_response (each runs through sync_to_async).",
    )


async def check_05_hops(counts) -> None:
    """Exercise 05.2: {"default": n, "native": n, "none": n}, the crossings of one GET /ping/async/ through the
    default stack, the project's own config.* middleware only, and no middleware. Use the check with await.

    The check serves the three requests itself with count_thread_hops and compares your numbers with its own.
    """
    from django.conf import settings

    from liveproject.kernel import count_thread_hops

    native = [path for path in settings.MIDDLEWARE if path.startswith("config.")]
    truth = {}
    for name, middleware in [("default", None), ("native", native), ("none", [])]:
        truth[name] = len((await count_thread_hops("/ping/async/", middleware=middleware))[1])
    _verdict(
        "Exercise 05.2",
        isinstance(counts, dict) and counts == truth,
        "Call await count_thread_hops('/ping/async/', middleware=...) with None (the default stack), the "
        "project's own config.* middleware (NATIVE), and [], and count the crossings each returns.",
    )


# --- Chapter 06 ---------------------------------------------------------------------------------------


async def check_06_publish_all(publish_all) -> None:
    """Exercise 06.1: publish_all(*, slugs, published_by) publishes every slug or, if one fails, none.

    The check picks two drafts and one published article from the database the kernel uses, so it can run
    again: each correct run publishes two more drafts.
    """
    from asgiref.sync import sync_to_async
    from django.contrib.auth import get_user_model

    from articles.models import Article
    from articles.services import ArticleAlreadyPublished

    hint = (
        "Open one transaction.atomic() around the whole loop and call article_publish for each slug inside it; "
        "run the function with await sync_to_async(publish_all)(...)."
    )
    editor = await get_user_model().objects.aget(username="editor")
    drafts = [
        slug
        async for slug in Article.objects.filter(status="draft").order_by("slug").values_list("slug", flat=True)[:2]
    ]
    published = await Article.objects.published().order_by("slug").values_list("slug", flat=True).afirst()
    if len(drafts) < 2:
        raise NotYet("Exercise 06.1: fewer than two drafts are left; start a fresh server (its database is new).")

    async def statuses():
        rows = Article.objects.filter(slug__in=drafts).order_by("slug").values_list("status", flat=True)
        return [status async for status in rows]

    try:
        await sync_to_async(publish_all)(slugs=[drafts[0], published, drafts[1]], published_by=editor)
    except ArticleAlreadyPublished:
        pass
    except Exception as exc:  # noqa: BLE001 - any other failure is the student's to see, as a hint
        raise NotYet(f"Exercise 06.1: not yet. It raised {type(exc).__name__}: {exc}. {hint}") from exc
    else:
        raise NotYet(f"Exercise 06.1: not yet. Publishing {published!r} again must raise ArticleAlreadyPublished.")
    if await statuses() != ["draft", "draft"]:
        raise NotYet(
            f"Exercise 06.1: not yet. {drafts[0]} was published although {published} failed later in the same "
            f"call: the failure must undo the whole call. {hint}"
        )
    await sync_to_async(publish_all)(slugs=drafts, published_by=editor)
    transitions = await Article.objects.filter(slug__in=drafts, transitions__isnull=False).acount()
    _verdict("Exercise 06.1", await statuses() == ["published", "published"] and transitions == 2, hint)


async def check_06_handshake(handshake) -> None:
    """Exercise 06.2: `await handshake(ready)` returns True soon after a database read sets `ready`."""
    import threading
    import time

    ready = threading.Event()
    started = time.perf_counter()
    try:
        async with asyncio.timeout(5):
            answer = await handshake(ready)
    except TimeoutError:
        answer = "still waiting after 5 s"
    elapsed = time.perf_counter() - started
    _verdict(
        "Exercise 06.2",
        answer is True and ready.is_set() and elapsed < 0.5,
        f"It returned {answer!r} after {elapsed:.1f} s. The wait blocks the one thread the ORM needs to set "
        "the flag: run the blocking wait with sync_to_async(..., thread_sensitive=False), or asyncio.to_thread.",
    )


async def check_06_notify(notify) -> None:
    """Exercise 06.3: `await notify(signal, slug)` sends `signal` with slug=slug and returns the responses."""
    import threading

    from django.dispatch import Signal

    signal = Signal()
    calls = []

    def on_sync(sender, slug, **kwargs):
        calls.append(("sync", slug, threading.current_thread() is threading.main_thread()))
        return "sync receiver"

    async def on_async(sender, slug, **kwargs):
        calls.append(("async", slug, threading.current_thread() is threading.main_thread()))
        return "async receiver"

    signal.connect(on_sync, weak=False)
    signal.connect(on_async, weak=False)
    try:
        responses = await notify(signal, "article-07")
    except RuntimeError as exc:
        responses = exc
    ok = (
        isinstance(responses, list)
        and [response for _, response in responses] == ["sync receiver", "async receiver"]
        and sorted(calls) == [("async", "article-07", True), ("sync", "article-07", False)]
    )
    _verdict(
        "Exercise 06.3",
        ok,
        f"Got {responses!r}. From async code, await signal.asend(sender=..., slug=slug): send() would have to "
        "run the async receiver with async_to_sync inside the running loop, which asgiref refuses.",
    )


# --- Chapter 07 ---------------------------------------------------------------------------------------


def check_07_first_event(seconds) -> None:
    """Exercise 07.1: when the first of 5 events (0.2 s apart) from the sync stream reaches a uvicorn client."""
    _verdict(
        "Exercise 07.1",
        isinstance(seconds, int | float) and 0.75 <= seconds <= 0.85,
        "Under ASGI Django reads a sync iterator to the end before it sends anything: how long does producing "
        "five events with 0.2 s between them take?",
    )


async def check_07_cleanup(guarded_wait) -> None:
    """Exercise 07.2: `await guarded_wait(seconds, log)` sleeps, appends "cleanup" to `log` however it ends,
    and lets a cancellation through."""
    import time

    log, started, outcome = [], time.perf_counter(), "returned normally"
    try:
        async with asyncio.timeout(0.05):
            await guarded_wait(1.0, log)
    except TimeoutError:
        outcome = "timed out"
    except Exception as exc:  # noqa: BLE001 - shown to the student as a hint
        outcome = f"raised {type(exc).__name__}"
    elapsed = time.perf_counter() - started
    _verdict(
        "Exercise 07.2",
        outcome == "timed out" and log == ["cleanup"] and elapsed < 0.5,
        f"Under a 0.05 s timeout it {outcome} after {elapsed:.2f} s with log={log!r}. Put the cleanup in "
        "`finally`, and if you catch asyncio.CancelledError, re-raise it: asyncio.timeout turns the "
        "cancellation into TimeoutError only if it comes back out.",
    )


def check_07_first_events(read_first, server) -> None:
    """Exercise 07.3: read_first(url, n) reads the first n events of an SSE stream as they arrive, returns
    their `data` as dicts, and hangs up."""
    import time

    before = len(server.log_lines("disconnected after"))
    started = time.perf_counter()
    try:
        events = read_first(f"{server.url}/stream/events/?count=100&interval=0.05", 3)
    except Exception as exc:  # noqa: BLE001 - shown to the student as a hint
        events = f"{type(exc).__name__}: {exc}"
    elapsed = time.perf_counter() - started
    hung_up = False
    deadline = time.monotonic() + 3
    while not hung_up and time.monotonic() < deadline:
        hung_up = len(server.log_lines("disconnected after")) > before
        time.sleep(0.02)
    _verdict(
        "Exercise 07.3",
        events == [{"n": 0}, {"n": 1}, {"n": 2}] and elapsed < 2.5 and hung_up,
        f"Got {events!r} after {elapsed:.1f} s (the whole stream takes 5 s); the server saw a disconnect: "
        f"{hung_up}. Use client.stream('GET', url) and iter_lines(), json.loads the text after 'data: ', and "
        "leave the `with` block after the n-th event.",
    )


# --- Chapter 08 ---------------------------------------------------------------------------------------

# What the three non-transactional async tests of chapter 08 do on each database, as measured there
# (tests/liveproject/test_exercises.py runs them again on the current track to keep this table honest).
TRAP_OUTCOMES = {
    "postgresql": {
        "test_view_sees_fixture_data": "failed",  # 404: the view's connection cannot see the uncommitted row
        "test_writes_a_row": "passed",  # ... committed on another connection, outside the test's transaction
        "test_starts_from_an_empty_table": "failed",  # ... so the row outlived the rollback
    },
    "sqlite": {
        "test_view_sees_fixture_data": "failed",  # database table is locked
        "test_writes_a_row": "failed",  # database table is locked
        "test_starts_from_an_empty_table": "passed",
    },
}


def check_08_trap_outcomes(answer) -> None:
    """Exercise 08.1: {"postgresql": {test: "passed"|"failed"}, "sqlite": {...}} for the three trap tests."""
    _verdict(
        "Exercise 08.1",
        answer == TRAP_OUTCOMES,
        "Each test's ORM calls run on asgiref's worker thread, with a connection of their own, while the "
        "test's transaction is open on the main thread's connection. PostgreSQL hides uncommitted rows from "
        "other connections; SQLite's in-memory test database locks the table instead.",
    )


def _run_student_tests(path, **kwargs):
    from pathlib import Path

    from liveproject.pytest_runs import run_pytest

    path = Path(path)
    if not path.is_file():
        raise NotYet(f"{path} does not exist yet: write it with the %%testfile cell first.")
    return run_pytest(path.parent, path.name, **kwargs)


def check_08_shared_client_fixed(path, server) -> None:
    """Exercise 08.2: the tests in `path` make two requests to SERVER_URL and pass in one session."""
    before = len(server.log_lines("GET /async-hello/ 200"))
    run = _run_student_tests(path, env={"SERVER_URL": server.url})
    requests_made = len(server.log_lines("GET /async-hello/ 200")) - before
    _verdict(
        "Exercise 08.2",
        len(run.outcomes) >= 2 and set(run.outcomes.values()) == {"passed"} and requests_made >= 2,
        f"Outcomes: {run.outcomes or 'no tests collected'}; requests that reached the server: {requests_made}. "
        "Create the client inside a fixture (async with httpx.AsyncClient(...) as client: yield client) so "
        "each test's event loop gets its own, and keep both tests requesting /async-hello/.",
    )


def check_08_detail_test(path) -> None:
    """Exercise 08.3: the tests in `path` pass against the project and fail when the detail view is broken."""
    run = _run_student_tests(path)
    broken = _run_student_tests(path, settings={"ROOT_URLCONF": "liveproject.broken_urls.article_detail_404"})
    passes = bool(run.outcomes) and set(run.outcomes.values()) == {"passed"}
    catches = "failed" in broken.outcomes.values() or "error" in broken.outcomes.values()
    _verdict(
        "Exercise 08.3",
        passes and catches,
        f"Against the project: {run.outcomes or 'no tests collected'} (all must pass); against a detail view "
        f"that always answers 404: {broken.outcomes or 'no tests collected'} (one must fail). "
        f"{next(iter(run.messages.values()), '')}",
    )


# --- Chapter 09 ---------------------------------------------------------------------------------------


def check_09_max_processes(max_processes) -> None:
    """Exercise 09.1: max_processes(max_connections, reserved, pool_max_size) -> whole processes that fit."""
    cases = [
        ((100, 10, 8), 11),
        ((100, 0, 10), 10),
        ((100, 10, 20), 4),
        ((50, 10, 8), 5),
        ((20, 10, 16), 0),
        ((10, 20, 8), 0),
    ]
    wrong = []
    for arguments, expected in cases:
        try:
            got = max_processes(*arguments)
        except Exception as exc:  # noqa: BLE001 - shown to the student as a hint
            got = f"{type(exc).__name__}: {exc}"
        if got != expected:
            wrong.append(f"max_processes{arguments} gave {got!r}, expected {expected}")
    _verdict(
        "Exercise 09.1",
        not wrong,
        f"{'; '.join(wrong)}. Subtract the reserved connections, divide by the pool size, keep whole processes "
        "(//), and never go below 0.",
    )


def check_09_gunicorn_command(argv) -> None:
    """Exercise 09.2: gunicorn, the ASGI application, 4 UvicornWorker processes, bound to 0.0.0.0:8000."""
    import argparse

    ok = isinstance(argv, list | tuple) and all(isinstance(part, str) for part in argv) and argv[:1] == ["gunicorn"]
    if ok:
        parser = argparse.ArgumentParser(add_help=False)
        parser.add_argument("-k", "--worker-class")
        parser.add_argument("-w", "--workers", type=int)
        parser.add_argument("-b", "--bind", action="append")
        parser.add_argument("app")
        try:
            options, _ = parser.parse_known_args(argv[1:])
        except SystemExit:
            options = None
        ok = bool(
            options
            and options.app == "config.asgi:application"
            and options.worker_class == "uvicorn_worker.UvicornWorker"
            and options.workers == 4
            and options.bind == ["0.0.0.0:8000"]
        )
    _verdict(
        "Exercise 09.2",
        ok,
        "A list like ['gunicorn', <the ASGI application>, '-k', <worker class>, '-w', '4', '-b', '0.0.0.0:8000']. "
        "The application is config.asgi:application (not wsgi), and the worker class comes from the "
        "uvicorn-worker package: uvicorn_worker.UvicornWorker.",
    )


def check_09_deploy_env(env) -> None:
    """Exercise 09.3: with exactly these DJANGO_* variables, check --deploy passes for shop.example.com."""
    import os
    import subprocess
    import sys

    from liveproject.databases import PROJECT_ROOT

    ok, detail = isinstance(env, dict) and all(isinstance(v, str) for v in env.values()), "env must be a dict of str"
    if ok:
        base = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
        done = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=PROJECT_ROOT,
            env=base | env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        hosts = [host.strip() for host in env.get("DJANGO_ALLOWED_HOSTS", "").split(",") if host.strip()]
        ok = done.returncode == 0 and hosts == ["shop.example.com"]
        detail = (done.stderr.strip().splitlines() or [f"allowed hosts: {hosts}"])[-1]
    _verdict(
        "Exercise 09.3",
        ok,
        f"{detail}. Production needs DJANGO_DEBUG=0, a long random DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS set "
        "to the one host.",
    )


# --- Chapter 10 ---------------------------------------------------------------------------------------


def check_10_existing(answer) -> None:
    """Exercise 10.1: {name: whether django.db.models.QuerySet has it} for the six names of the exercise."""
    from django.db.models import QuerySet

    names = ["avalues", "avalues_list", "aiterator", "ain_bulk", "acontains", "aexplain"]
    _verdict(
        "Exercise 10.1",
        answer == {name: hasattr(QuerySet, name) for name in names},
        "Ask the installed version, not memory: hasattr(QuerySet, name) for each of the six names.",
    )


CLAIMS_10_2 = (
    "async for fetches one row per query",
    "request.auser(), asked before alogin(), returns the new user after it",
    "sync_to_async(thread_sensitive=False) can run ORM queries in parallel",
)


async def measure_10_2() -> dict[str, str]:
    """Run the three experiments of exercise 10.2 on the notebook's Django and return each claim's verdict."""
    import time

    from asgiref.sync import sync_to_async
    from django.contrib.auth import alogin, get_user_model
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import AsyncRequestFactory

    from articles.models import Article
    from liveproject.experiments import count_queries
    from pages.views import slow_query_on_own_connection

    async def read_twenty():
        return [article async for article in Article.objects.all()[:20]]

    rows, queries = await count_queries(read_twenty)

    request = AsyncRequestFactory().get("/")
    request.session = SessionStore()
    AuthenticationMiddleware(lambda request: None).process_request(request)
    await request.auser()  # asked once before the login, as a view or middleware would
    user = await get_user_model().objects.aget(username="ada")
    await alogin(request, user)
    after = await request.auser()

    async def four_slow_queries(thread_sensitive):
        started = time.perf_counter()
        run = sync_to_async(slow_query_on_own_connection, thread_sensitive=thread_sensitive)
        await asyncio.gather(*(run(0.1) for _ in range(4)))
        return time.perf_counter() - started

    one_thread, own_threads = await four_slow_queries(True), await four_slow_queries(False)
    held = [len(rows) > 1 and queries >= len(rows), after == user, own_threads < 0.75 * one_thread]
    return {claim: "TRUE" if holds else "FALSE" for claim, holds in zip(CLAIMS_10_2, held, strict=True)}


async def check_10_verdicts(answer) -> None:
    """Exercise 10.2: "TRUE" or "FALSE" for each claim of CLAIMS_10_2. The check runs the three experiments
    itself (measure_10_2) and compares; use it with await."""
    truth = await measure_10_2()
    wrong = sorted(claim for claim in CLAIMS_10_2 if not isinstance(answer, dict) or answer.get(claim) != truth[claim])
    _verdict(
        "Exercise 10.2",
        isinstance(answer, dict) and answer == truth,
        f"{len(wrong)} of 3 verdicts differ from what the check measured. Count the queries of an async for "
        "(liveproject.experiments.count_queries), call request.auser() before and after alogin() on one request, "
        "and time four slow queries through sync_to_async(thread_sensitive=False) against the same four on one "
        "thread.",
    )


_watched_open = {"path": None, "on_main_thread": []}


def _record_open(event, args):
    # An audit hook sees every open(), whatever name the caller used for it (IPython gives notebooks a
    # wrapped `open` of its own, so patching builtins.open would miss calls from a cell).
    if event == "open" and _watched_open["path"] is not None and args and str(args[0]) == _watched_open["path"]:
        import threading

        _watched_open["on_main_thread"].append(threading.current_thread() is threading.main_thread())


async def check_10_read_without_blocking(read_config) -> None:
    """Exercise 10.3: `await read_config(path)` returns the file's text and never calls open() on the loop."""
    import sys
    import tempfile
    from pathlib import Path

    if not getattr(_record_open, "installed", False):
        sys.addaudithook(_record_open)  # audit hooks cannot be removed; this one only acts while watching
        _record_open.installed = True
    path = Path(tempfile.mkdtemp()) / "config.json"
    path.write_text('{"debug": false}')
    _watched_open.update(path=str(path), on_main_thread=[])
    try:
        text = await read_config(path)
    except Exception as exc:  # noqa: BLE001 - shown to the student as a hint
        text = f"{type(exc).__name__}: {exc}"
    finally:
        callers = list(_watched_open["on_main_thread"])
        _watched_open.update(path=None, on_main_thread=[])
        path.unlink()
        path.parent.rmdir()
    _verdict(
        "Exercise 10.3",
        text == '{"debug": false}' and callers == [False],
        f"It returned {text!r}; open() was called {len(callers)} time(s), on the event loop's thread: "
        f"{any(callers)}. Put open, read and close in one sync function and await asyncio.to_thread(...) on it.",
    )
