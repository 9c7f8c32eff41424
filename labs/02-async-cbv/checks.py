"""Checks of lab 02 (async class-based views). Run them with `python -m labs check 02` or `nox -s lab -- 02`."""

import time

from labs.runner import Step, StepFailed


def get_ok(context, path, headers=None):
    response = context.server.client.get(context.url(path), headers=headers)
    if response.status_code != 200:
        raise StepFailed(f"GET {context.url(path)} answered {response.status_code}: {response.text[:200]}")
    return response


def tasks_concurrent(context):
    started = time.perf_counter()
    data = get_ok(context, "tasks/").json()
    elapsed = time.perf_counter() - started
    if data.get("results") != [{"task": n, "done": True} for n in (1, 2, 3)]:
        raise StepFailed(f"results should be the three slow_io results in order, got {data.get('results')!r}")
    duration = data.get("duration_ms")
    if not isinstance(duration, int | float) or not 190 <= duration < 550 or duration > elapsed * 1000 + 50:
        raise StepFailed(f"duration_ms is {duration!r}: three concurrent 0.2 s calls take about 200 ms")


def wrong_methods(context):
    headers = context.server.login_headers("reader")  # a valid session and CSRF token: only the method is wrong
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
    if response.status_code != 401 or not is_json or "error" not in response.json():
        raise StepFailed(
            f"an anonymous GET should be a 401 with a JSON error, got {response.status_code} {response.text[:120]}"
        )


def logged_in_drafts(context):
    headers = context.server.login_headers("ada")
    data = get_ok(context, "my-drafts/", headers=headers).json()
    truth = context.server.client.get("/articles/drafts/", headers=headers).json()["count"]  # the project's view
    if data != {"username": "ada", "drafts": truth}:
        raise StepFailed(f"for ada the answer should be {{'username': 'ada', 'drafts': {truth}}}, got {data!r}")


def handlers_async(context):
    for name in ("get",):
        if not context.is_async_function(name):
            raise StepFailed("the views' get handlers should be defined with `async def`")


STEPS = [
    Step(
        "GET /tasks/: three calls at once, with duration_ms",
        tasks_concurrent,
        "await asyncio.gather(slow_io(1), slow_io(2), slow_io(3)); a sync handler next to async ones makes "
        "Django refuse the whole class (ImproperlyConfigured), which takes this lab's URLs down",
    ),
    Step("other methods get 405 listing GET", wrong_methods, "define only `get`: Django answers the rest with 405"),
    Step(
        "an anonymous user gets 401",
        anonymous_refused,
        "Django's LoginRequiredMixin has a sync dispatch(); use config.mixins.AsyncLoginRequiredMixin, or "
        "`await request.auser()` in an async dispatch()",
    ),
    Step(
        "a logged-in user gets their draft count",
        logged_in_drafts,
        "read the user with `await request.auser()` (or after the async mixin loaded it), then count with acount()",
    ),
    Step("the handlers are async", handlers_async, "keep `async def get` in both views"),
]
