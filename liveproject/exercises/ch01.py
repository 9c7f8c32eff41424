"""Exercise checks for chapters/01-wsgi-vs-asgi.ipynb (how they work: liveproject.exercises)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from liveproject.exercises.common import judge

if TYPE_CHECKING:
    from typing import Any

    from liveproject.server import LiveServer


def check_01_gthread_prediction(seconds: object) -> None:
    """Exercise 01.1: predicted batch time of 12 concurrent 0.2 s waits on gunicorn gthread, 1 worker x 4 threads."""
    requests, threads, wait = 12, 4, 0.2
    expected = -(-requests // threads) * wait  # ceil(12 / 4) rounds of 0.2 s
    ok = isinstance(seconds, int | float) and abs(seconds - expected) < 0.01
    judge(
        "Exercise 01.1",
        ok,
        "Four threads serve four waits at a time; count the rounds (round up) and multiply by the wait.",
    )


def check_01_threads_per_request(extra_threads: Any, server: LiveServer) -> None:
    """Exercise 01.2: the extra threads you measured on `server` (uvicorn) while 8 sync requests of 0.5 s waited.

    The check sends the same 8 requests itself and compares your number with the thread count it measures: the
    plateau while the 8 wait, not the peak, which can catch asgiref's short-lived joiner threads as they finish.
    """
    from liveproject.load import burst, plateau_during

    in_flight = 8
    idle = server.idle_thread_count()
    _, plateau = plateau_during(server.thread_count, lambda: burst(server, "/wait/sync/?seconds=0.5", in_flight))
    measured_here = plateau - idle  # type: ignore[operator]  # plateau is None only when nothing was sampled
    ok = isinstance(extra_threads, int) and not isinstance(extra_threads, bool)
    ok = ok and extra_threads >= in_flight and abs(extra_threads - measured_here) <= 3
    judge(
        "Exercise 01.2",
        ok,
        f"The check measured {measured_here} extra threads for {in_flight} requests in flight; you gave "
        f"{extra_threads!r}. Send the 8 requests to /wait/sync/?seconds=0.5 and sample server.thread_count while "
        "they wait: plateau_during(server.thread_count, ...) minus server.idle_thread_count() from before. Expect "
        "about one thread per request in flight.",
    )


def check_01_cpu_bound(answer: object) -> None:
    """Exercise 01.3: which configuration finishes 8 CPU-bound requests soonest: "a", "b" or "c"."""
    judge(
        "Exercise 01.3",
        answer == "c",
        "An event loop computes one request at a time, and threads take turns holding the GIL; only separate "
        "processes can compute on two cores at once.",
    )
