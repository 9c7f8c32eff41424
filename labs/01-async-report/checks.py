"""Checks of lab 01 (an async report). Run them with `python -m labs check 01` or `nox -s lab -- 01`."""

import time

from labs.runner import Step, StepFailed


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
    expected = [{"task": n, "done": True} for n in (1, 2, 3)]
    if io != expected:
        raise StepFailed(f"io should be {expected}, got {io!r}")


def io_calls_concurrent(context):
    started = time.perf_counter()
    data = get_report(context).json()
    elapsed = time.perf_counter() - started
    duration = data.get("duration_ms")
    if not isinstance(duration, int | float):
        raise StepFailed(f"duration_ms should be a number of milliseconds, got {duration!r}")
    if not 190 <= duration < 550:
        raise StepFailed(
            f"duration_ms is {duration}: three concurrent 0.2 s calls take about 200 ms (in sequence, 600)"
        )
    if duration > elapsed * 1000 + 50:
        raise StepFailed(f"duration_ms ({duration}) is longer than the request took ({elapsed * 1000:.0f} ms)")


def slugs_from_the_database(context):
    slugs = get_report(context).json().get("slugs")
    truth = context.server.client.get("/articles/async/slugs/").json()["slugs"][:10]  # the project's own view
    if slugs != truth:
        raise StepFailed(f"slugs should be the 10 newest published slugs {truth[:3]}..., got {slugs!r}")


def headers_present(context):
    response = get_report(context, **{"X-Request-Id": "lab-01-check"})
    if response.headers.get("X-Request-Id") != "lab-01-check" or "X-MW-Duration-Ms" not in response.headers:
        raise StepFailed("the project's middleware headers X-Request-Id and X-MW-Duration-Ms are missing")


def wrong_method_refused(context):
    logged_in = context.server.login_headers("reader")  # a valid session and CSRF token: only the method is wrong
    response = context.server.client.post(context.url("report/"), headers=logged_in)
    if response.status_code != 405:
        raise StepFailed(f"POST should be refused with 405, got {response.status_code}")


STEPS = [
    Step("the view is async", view_is_async, "define the view with `async def` so it runs on the event loop"),
    Step("three I/O results, in order", io_calls_in_order, "await asyncio.gather(slow_io(1), slow_io(2), slow_io(3))"),
    Step(
        "the I/O calls overlap, and duration_ms says so",
        io_calls_concurrent,
        "gather the three calls instead of awaiting them one by one; measure with time.perf_counter()",
    ),
    Step(
        "the 10 newest published slugs, from the database",
        slugs_from_the_database,
        "Article.objects.published().order_by('-published_at').values_list('slug', flat=True)[:10], read with "
        "`async for`",
    ),
    Step(
        "request-id and timing headers present",
        headers_present,
        "keep the project's middleware: return a normal response",
    ),
    Step("POST is refused with 405", wrong_method_refused, "keep @require_GET on the view"),
]
