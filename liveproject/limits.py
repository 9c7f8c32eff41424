"""The shortest time a server can take for N concurrent requests that each wait, worked out before measuring.

    batch_limit(server, n=20, wait=0.2, cpu_per_request=0.004)

* a WSGI worker serves one request per thread: gunicorn sync with W workers takes ⌈N / W⌉ rounds of the wait,
  gthread with W workers × T threads ⌈N / (W·T)⌉ rounds;
* an event loop overlaps every wait, but runs each request's Python code on its one thread:
  wait + N × (CPU per request) for each process's share of the requests.
Chapter 01 compares each measurement with this limit; `nox -s bench` does the same up to N = 1000.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from liveproject.server import LiveServer


def in_rounds(n: int, wait: float, slots: int) -> float:
    """N waits served `slots` at a time: ⌈N / slots⌉ rounds of `wait`."""
    return math.ceil(n / slots) * wait


def on_event_loops(n: int, wait: float, cpu_per_request: float, processes: int = 1) -> float:
    """N waits overlapped on `processes` event loops, each loop computing its share one request at a time."""
    return wait + math.ceil(n / processes) * cpu_per_request


def batch_limit(server: LiveServer, n: int, wait: float, cpu_per_request: float | None = None) -> float:
    """The limit for `server` (a LiveServer): WSGI kinds by their workers and threads, ASGI kinds by CPU."""
    if server.interface == "WSGI":
        threads = server.threads if server.kind == "gunicorn-gthread" else 1
        return in_rounds(n, wait, server.workers * threads)
    if cpu_per_request is None:
        raise ValueError("an ASGI server's limit needs its CPU time per request")
    return on_event_loops(n, wait, cpu_per_request, processes=server.workers)
