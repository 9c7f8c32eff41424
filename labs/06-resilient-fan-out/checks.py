"""Checks of lab 06 (a resilient fan-out). Run them with `python -m labs check 06` or `nox -s lab -- 06`.

The upstream here is a probe the checks run themselves (labs/probe.py): it answers like the project's
/upstream/, counts how many calls are in flight at once, and hangs up without answering on the calls the checks
choose. The checks time each answer themselves; they never read the view's own duration_ms.

Margins. The lab's rules are a 0.5 s timeout per call, a 1 s deadline for the view, and 3 calls in flight. The
calls the checks make are far from each limit, so a busy machine (or the first round's connecting) cannot move
an outcome across it: a call meant to succeed lasts 0.3 s at most (0.2 s under its 0.5 s timeout); the rounds
meant to finish before the deadline end by 0.6 s; a call meant to hit a limit lasts 2 s. A wait can only last
longer than asked, never shorter, so the lower bounds on the answer's time allow 2% and no more.
"""

import concurrent.futures
import contextlib
import random
import time

import httpx

from labs.probe import ProbeUpstream
from labs.runner import Step, StepFailed

PER_CALL_TIMEOUT, DEADLINE, MAX_IN_FLIGHT = 0.5, 1.0, 3  # the lab's rules (README.md), not read from your code
TIMER_FLOOR = 0.98  # a timer may fire a little early: allow 2%
SLOW = 2.0  # a call that only a timeout or the deadline can end


@contextlib.contextmanager
def lab_fixture():
    with ProbeUpstream() as upstream:
        yield {"settings": {"UPSTREAM_URL": upstream.url}, "upstream": upstream}


def get_aggregate(context, delays, statuses=None):
    """(response, seconds the answer took, measured here)."""
    params = {"delays": ",".join(str(d) for d in delays)}
    if statuses:
        params["statuses"] = ",".join(str(s) for s in statuses)
    started = time.perf_counter()
    response = context.server.client.get(context.url("aggregate/"), params=params)
    return response, time.perf_counter() - started


def aggregate(context, delays, statuses=None, *, when_not_200=""):
    """The JSON answer and its time; a step fails when the answer is not a 200 (`when_not_200` says what it means)."""
    response, elapsed = get_aggregate(context, delays, statuses)
    if response.status_code != 200:
        raise StepFailed(
            f"delays={','.join(str(d) for d in delays)}: expected 200, got {response.status_code} "
            f"{response.text[:200]}" + (f"; {when_not_200}" if when_not_200 else "")
        )
    return response.json(), elapsed


def outcomes(data):
    return [(row.get("outcome"), row.get("status")) for row in data.get("results", [])]


def all_ok(context):
    data, _ = aggregate(context, [0.1, 0.1, 0.1])
    if outcomes(data) != [("ok", 200)] * 3 or [row.get("call") for row in data["results"]] != [0, 1, 2]:
        raise StepFailed(f"three fast calls should all be ('ok', 200), in call order; got {outcomes(data)}")


def errors_reported(context):
    data, _ = aggregate(context, [0.1, 0.1, 0.1], [200, 503, 201])
    got = outcomes(data)
    if len(got) != 3:
        raise StepFailed(f"three calls should give three results; got {got}")
    if got[1] != ("error", 503):
        raise StepFailed(f"a 503 from the upstream is an 'error', with its status; got {got[1]} for that call")
    if got[2] != ("ok", 201):
        raise StepFailed(
            f"a 201 from the upstream is a success: any 2xx status is 'ok', with its status; got {got[2]} for that call"
        )
    if got[0] != ("ok", 200):
        raise StepFailed(f"a 200 from the upstream is 'ok', with its status; got {got[0]} for that call")


def no_answer_is_an_error(context):
    upstream = context.extra["upstream"]
    hang_up = round(random.uniform(0.11, 0.19), 3)  # a delay your code cannot have been written for
    upstream.hang_up_delays.add(hang_up)
    try:
        data, _ = aggregate(
            context,
            [0.1, hang_up, 0.1],
            when_not_200="the upstream closed one call's connection without an answer, and that one failure took "
            "the whole answer down: a call with no answer is an 'error', and the other calls still answer",
        )
    finally:
        upstream.hang_up_delays.discard(hang_up)
    got = outcomes(data)
    if got != [("ok", 200), ("error", None), ("ok", 200)]:
        raise StepFailed(
            "the upstream closed the second call's connection without an answer (no status): that call is an "
            f"'error' with status null, and the other two are 'ok'; got {got}"
        )


def per_call_timeout(context):
    data, elapsed = aggregate(context, [0.1, SLOW, 0.1])
    got = [outcome for outcome, _ in outcomes(data)]
    if got != ["ok", "timeout", "ok"]:
        raise StepFailed(
            f"a {SLOW:g} s call should end by its own PER_CALL_TIMEOUT (0.5 s) as a 'timeout', long before the 1 s "
            f"deadline, and the two fast calls succeed; got {got}"
        )
    if elapsed < PER_CALL_TIMEOUT * TIMER_FLOOR:
        raise StepFailed(f"the answer took {elapsed:.2f} s, less than the 0.5 s a call gets before it times out")
    if elapsed >= 0.95:
        raise StepFailed(
            f"the answer took {elapsed:.2f} s: once the slow call times out after 0.5 s, nothing is left to wait for"
        )
    # An upstream that answers its headers at once, then its body one byte every 0.2 s for 2 s: each read gets a
    # byte long before any per-read timeout (httpx's own), so only a timeout on the whole call ends it.
    upstream = context.extra["upstream"]
    drip = round(random.uniform(SLOW + 0.01, SLOW + 0.09), 3)
    upstream.drip_delays.add(drip)
    try:
        data, elapsed = aggregate(context, [0.1, drip, 0.1])
    finally:
        upstream.drip_delays.discard(drip)
    got = [outcome for outcome, _ in outcomes(data)]
    if got != ["ok", "timeout", "ok"] or elapsed >= 0.95:
        raise StepFailed(
            f"the upstream sent the second call's status at once, then its body one byte at a time (a byte every "
            f"0.2 s for {SLOW:g} s): that call should end as a 'timeout' at its 0.5 s PER_CALL_TIMEOUT, and the "
            f"answer come by about 0.5 s; got {got} after {elapsed:.2f} s. httpx's timeout applies to each read (and "
            "each read got a byte in time), not to the whole call: asyncio.timeout(PER_CALL_TIMEOUT) is"
        )


def concurrency_bound(context):
    upstream = context.extra["upstream"]
    upstream.reset()
    data, elapsed = aggregate(context, [0.2] * 6)
    if outcomes(data) != [("ok", 200)] * 6:
        raise StepFailed(f"six calls of 0.2 s should all succeed; got {outcomes(data)}")
    seen = upstream.max_in_flight
    if seen > MAX_IN_FLIGHT:
        raise StepFailed(
            f"the upstream saw {seen} calls in flight at once: no more than MAX_IN_FLIGHT (3) may be in flight at "
            "once, whatever the number of delays"
        )
    if seen < MAX_IN_FLIGHT:
        raise StepFailed(
            f"the upstream saw at most {seen} call(s) in flight at once: the calls should run concurrently, up to "
            "MAX_IN_FLIGHT (3) at a time"
        )
    if elapsed < 2 * 0.2 * TIMER_FLOOR:
        raise StepFailed(f"six calls, three at a time, need two rounds of 0.2 s; the answer took {elapsed:.2f} s")
    each_request_has_its_own_slots(context)
    a_freed_slot_is_used_at_once(context)


def each_request_has_its_own_slots(context):
    """Two requests at once, three 0.3 s calls each: each request may have 3 calls in flight, so the upstream
    sees more than 3 (6 unless one request starts late on a busy machine; a second try allows for that)."""
    upstream = context.extra["upstream"]
    delays = ",".join(["0.3"] * MAX_IN_FLIGHT)

    def one(_):
        with httpx.Client(base_url=context.server.url, timeout=10) as client:
            return client.get(context.url("aggregate/"), params={"delays": delays})

    for _ in range(3):
        upstream.reset()
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(one, range(2)))
        got = [outcomes(answer.json()) if answer.status_code == 200 else answer.status_code for answer in answers]
        if got != [[("ok", 200)] * MAX_IN_FLIGHT] * 2:
            raise StepFailed(f"two requests at once, three calls of 0.3 s each: all six should succeed; got {got}")
        if (seen := upstream.max_in_flight) > MAX_IN_FLIGHT:
            return
    raise StepFailed(
        f"two requests at once, three calls of 0.3 s each, and the upstream saw at most {seen} calls in flight: "
        "MAX_IN_FLIGHT bounds one request's calls, but one semaphore shared by every request (made once, at module "
        "level) makes each request wait for the others' calls. Create the semaphore inside the view"
    )


def a_freed_slot_is_used_at_once(context):
    """Uneven calls: a semaphore gives the next call the first slot that frees (the whole answer takes about
    0.4 s); rounds of three calls (gather) wait for each round's slowest call, 0.3 s three times."""
    delays = [0.3, 0.05, 0.05] * 3
    timed = []
    for _ in range(3):  # the fastest of three: a busy machine can slow an answer down, never speed it up
        data, elapsed = aggregate(context, delays)
        if outcomes(data) != [("ok", 200)] * len(delays):
            raise StepFailed(
                f"delays={','.join(str(d) for d in delays)}: every call should succeed (three at a time, a new one "
                f"as soon as a slot frees, all done by about 0.4 s), not wait in rounds; got {outcomes(data)}"
            )
        timed.append(elapsed)
        if elapsed < 0.85:  # rounds need 3 × 0.3 s at the very least
            return
    raise StepFailed(
        f"delays={','.join(str(d) for d in delays)}: the answer took at least {min(timed):.2f} s. With a semaphore, "
        "a call starts as soon as any of the 3 slots frees, and all are done by about 0.4 s; calls in rounds of "
        "three (gather) wait for each round's slowest call (0.3 s, three times). Hold an asyncio.Semaphore around "
        "each call instead"
    )


def overall_deadline(context):
    # Calls 0-2 run 0.3 s, calls 3-5 get their slots at 0.3 s and end at 0.6 s (each under its 0.5 s timeout,
    # counted from its slot), the seventh gets a slot at 0.6 s and lasts 2 s: still running at the 1 s deadline,
    # and its own timeout (0.6 + 0.5 s) cannot come first.
    delays = [0.3] * 6 + [SLOW]
    data, elapsed = aggregate(
        context,
        delays,
        when_not_200="one call was still running at the deadline, and it took the whole answer down: answer with "
        "partial results, the finished calls' outcomes and 'deadline' for the rest",
    )
    got = [outcome for outcome, _ in outcomes(data)]
    if len(got) == 7 and "timeout" in got[3:6]:
        raise StepFailed(
            f"calls 3-5 waited 0.3 s for a slot, then needed 0.3 s, and were reported {got[3:6]}: time spent "
            "waiting for a slot must not count against a call's PER_CALL_TIMEOUT"
        )
    if len(got) == 7 and got[:6] == ["ok"] * 6 and got[6] != "deadline":
        if elapsed < DEADLINE * TIMER_FLOOR:
            raise StepFailed(
                f"the seventh call ({SLOW:g} s long) was reported {got[6]!r} after {elapsed:.2f} s: with at most 3 "
                "calls in flight it gets a slot only when one of the first six ends (about 0.6 s), so it is still "
                "running at the 1 s deadline"
            )
        raise StepFailed(
            f"the seventh call ({SLOW:g} s long, given a slot at about 0.6 s) was still running at the 1 s DEADLINE, "
            f"so it is 'deadline'; it was reported {got[6]!r} after {elapsed:.2f} s: the view went on waiting past "
            "its deadline"
        )
    if got != ["ok"] * 6 + ["deadline"]:
        raise StepFailed(
            "seven calls, three at a time: six of 0.3 s finish in two rounds by 0.6 s, and the seventh, "
            f"{SLOW:g} s long, is still running at the 1 s deadline; got {got}"
        )
    if elapsed < DEADLINE * TIMER_FLOOR:
        raise StepFailed(
            f"the answer took {elapsed:.2f} s: the seventh call cannot be given up before the 1 s deadline"
        )
    if elapsed >= 1.5:
        raise StepFailed(f"the answer took {elapsed:.2f} s; the whole view should answer by its 1 s deadline")
    # The seventh call's upstream request lasts 2 s unless it is cancelled: once the view has answered, nothing of
    # its own should still be in flight (the probe stops counting a call whose caller hangs up).
    upstream = context.extra["upstream"]
    waited_until = time.monotonic() + 0.5
    while upstream.in_flight and time.monotonic() < waited_until:
        time.sleep(0.01)
    if upstream.in_flight:
        raise StepFailed(
            f"the view answered at its deadline, but 0.5 s later {upstream.in_flight} of its calls were still in "
            "flight at the upstream: cancel every unfinished task at the deadline, and await them (asyncio.gather"
            "(*unfinished, return_exceptions=True)) before the client closes"
        )
    logged = context.server.log_text()
    for sign in ("Task was destroyed but it is pending", "exception was never retrieved"):
        if sign in logged:
            raise StepFailed(
                f"the server logged {sign!r}: a task was still in flight after the view answered; cancel every "
                "unfinished task at the deadline and await them (asyncio.gather(*unfinished, "
                "return_exceptions=True)) before the client closes"
            )


def bad_input(context):
    for delays in (["abc"], [0.1] * 11, [-1]):
        response, _ = get_aggregate(context, delays)
        if response.status_code != 400:
            raise StepFailed(
                f"delays={','.join(str(d) for d in delays)}: expected 400 with a message, got "
                f"{response.status_code} {response.text[:200]}"
            )


# The labs' shared format, the same shape in every lab's checks.py: one Step(name, check, hint) per step.
STEPS = [
    Step(
        "three fast calls: all ok, in order", all_ok, "one result per delay, in call order, with the upstream's status"
    ),
    Step(
        "an upstream error is reported, not raised",
        errors_reported,
        "outcome 'ok' for any 2xx status (response.is_success), 'error' otherwise, always with the status",
    ),
    Step(
        "a call with no answer is an error; the others still answer",
        no_answer_is_an_error,
        "catch httpx.HTTPError around each call and report it as 'error' with status None, so one failure stays "
        "one result",
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
        "asyncio.wait(tasks, timeout=DEADLINE), cancel what is unfinished, and report it as 'deadline'; start each "
        "call's timeout inside the semaphore",
    ),
    Step("bad input is a 400", bad_input, "config.params.float_list_param(request, 'delays', ..., max_items=10)"),
]
