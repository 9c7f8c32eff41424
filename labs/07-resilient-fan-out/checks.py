"""Checks of lab 07 (a resilient fan-out). Run them with `python -m labs check 07` or `nox -s lab -- 07`.

The upstream here is a probe the checks run themselves (labs/probe.py): it answers like the project's
/upstream/ and counts how many calls are in flight at once.
"""

import contextlib
import time

from labs.probe import ProbeUpstream
from labs.runner import Step, StepFailed


@contextlib.contextmanager
def lab_fixture():
    with ProbeUpstream() as upstream:
        yield {"settings": {"UPSTREAM_URL": upstream.url}, "upstream": upstream}


def aggregate(context, delays, statuses=None, expect_status=200):
    params = {"delays": ",".join(str(d) for d in delays)}
    if statuses:
        params["statuses"] = ",".join(str(s) for s in statuses)
    started = time.perf_counter()
    response = context.server.client.get(context.url("aggregate/"), params=params)
    elapsed = time.perf_counter() - started
    if response.status_code != expect_status:
        raise StepFailed(
            f"delays={params['delays']}: expected {expect_status}, got {response.status_code} {response.text[:200]}"
        )
    return response.json(), elapsed


def outcomes(data):
    return [(row.get("outcome"), row.get("status")) for row in data.get("results", [])]


def all_ok(context):
    data, _ = aggregate(context, [0.1, 0.1, 0.1])
    if outcomes(data) != [("ok", 200)] * 3 or [row.get("call") for row in data["results"]] != [0, 1, 2]:
        raise StepFailed(f"three fast calls should all be ('ok', 200), in call order; got {outcomes(data)}")


def errors_reported(context):
    data, _ = aggregate(context, [0.1, 0.1, 0.1], [200, 503, 200])
    if outcomes(data) != [("ok", 200), ("error", 503), ("ok", 200)]:
        raise StepFailed(f"a 503 from the upstream is an 'error' with its status; got {outcomes(data)}")


def per_call_timeout(context):
    data, elapsed = aggregate(context, [0.1, 2, 0.1])
    if [outcome for outcome, _ in outcomes(data)] != ["ok", "timeout", "ok"]:
        raise StepFailed(f"a 2 s call should time out after 0.5 s and the others succeed; got {outcomes(data)}")
    if not 0.45 <= elapsed < 1.2:
        raise StepFailed(f"the answer took {elapsed:.2f} s: the 0.5 s timeout, not the 2 s call, should bound it")


def concurrency_bound(context):
    upstream = context.extra["upstream"]
    upstream.reset()
    data, elapsed = aggregate(context, [0.2] * 6)
    if outcomes(data) != [("ok", 200)] * 6:
        raise StepFailed(f"six calls of 0.2 s should all succeed; got {outcomes(data)}")
    if upstream.max_in_flight != 3:
        raise StepFailed(f"the upstream saw {upstream.max_in_flight} calls in flight at most; it should be exactly 3")
    if elapsed < 0.38:
        raise StepFailed(f"six calls, three at a time, need two rounds of 0.2 s; the answer took {elapsed:.2f} s")


def overall_deadline(context):
    data, elapsed = aggregate(context, [0.45] * 7)
    got = [outcome for outcome, _ in outcomes(data)]
    if got != ["ok"] * 6 + ["deadline"]:
        raise StepFailed(
            "seven calls of 0.45 s, three at a time: the seventh starts at 0.9 s and cannot finish by the 1 s "
            f"deadline, so it is 'deadline' and the rest 'ok'; got {got}"
        )
    if not 0.95 <= elapsed < 1.6:
        raise StepFailed(f"the answer took {elapsed:.2f} s; the deadline is 1 s")


def bad_input(context):
    for delays in (["abc"], [0.1] * 11, [-1]):
        aggregate(context, delays, expect_status=400)


STEPS = [
    Step(
        "three fast calls: all ok, in order", all_ok, "one result per delay, in call order, with the upstream's status"
    ),
    Step(
        "an upstream error is reported, not raised", errors_reported, "outcome 'ok' only for 2xx (response.is_success)"
    ),
    Step(
        "a slow call times out; the others still answer",
        per_call_timeout,
        "wrap each call in `async with asyncio.timeout(PER_CALL_TIMEOUT)` and catch TimeoutError",
    ),
    Step(
        "at most 3 calls in flight",
        concurrency_bound,
        "create the tasks together and hold an asyncio.Semaphore(MAX_IN_FLIGHT) around each call",
    ),
    Step(
        "the whole view answers by its deadline",
        overall_deadline,
        "asyncio.wait(tasks, timeout=DEADLINE), cancel what is unfinished, and report it as 'deadline'",
    ),
    Step("bad input is a 400", bad_input, "config.api.float_list_param(request, 'delays', ..., max_items=10)"),
]
