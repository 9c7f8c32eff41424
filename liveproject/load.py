"""Fire concurrent requests and record when each one started and ended.

The load generator must not be the thing you measure. httpx's AsyncClient spends milliseconds of CPU per
request once hundreds are in flight (encode/httpx#3215), so bursts here use aiohttp's client on its own
event loop (uvloop when installed) in its own thread, which works from a Jupyter cell too. Every result
carries the generator's own CPU time, and `calibrate()` runs the same burst against a trivial server
with no Django in it, so a chapter can print the generator's overhead beside each measurement.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import aiohttp

from liveproject.processes import ensure_file_limit

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
    from typing import Any, TypeVar

    from liveproject.server import LiveServer

    _Result = TypeVar("_Result")
    _Sample = TypeVar("_Sample", bound=float)  # what peak_during samples: a count of threads, a number of bytes


@dataclass(frozen=True)
class RequestResult:
    index: int
    start: float  # seconds since the burst started
    end: float
    status: int | None  # None when the request failed before a response arrived
    error: str | None = None

    @property
    def latency(self) -> float:
        return self.end - self.start


@dataclass
class Burst:
    """N requests fired at once: per-request results and what the burst cost."""

    url: str
    n: int
    results: list[RequestResult]
    wall: float  # first start to last end, seconds
    client_cpu: float  # CPU seconds the load generator's thread used
    server_cpu: float | None = None  # CPU seconds the server used (when a LiveServer was given)
    extra: dict = field(default_factory=dict)

    @property
    def latencies(self) -> list[float]:
        return sorted(r.latency for r in self.results if r.error is None)

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile of the successful requests' latencies, q in (0, 100]."""
        values = self.latencies
        if not values:
            return math.nan
        return values[max(0, math.ceil(q / 100 * len(values)) - 1)]

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p95(self) -> float:
        return self.percentile(95)

    @property
    def statuses(self) -> Counter:
        return Counter(r.status if r.error is None else r.error for r in self.results)

    @property
    def ok(self) -> int:
        return sum(1 for r in self.results if r.error is None and r.status is not None and r.status < 400)

    @property
    def errors(self) -> int:
        return sum(1 for r in self.results if r.error is not None)


def _target(server_or_url: LiveServer | str, path: str) -> tuple[str, LiveServer | None]:
    if isinstance(server_or_url, str):
        return server_or_url.rstrip("/") + path, None
    return server_or_url.url + path, server_or_url  # type: ignore[operator]  # a running server has its url


async def _one(
    session: aiohttp.ClientSession, index: int, method: str, url: str, headers: Mapping[str, str] | None, t0: float
) -> RequestResult:
    start = time.perf_counter() - t0
    try:
        async with session.request(method, url, headers=headers) as response:
            await response.read()
            status = response.status
        return RequestResult(index, start, time.perf_counter() - t0, status)
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return RequestResult(index, start, time.perf_counter() - t0, None, type(exc).__name__)


async def aburst(
    server_or_url: LiveServer | str,
    path: str = "/",
    n: int = 10,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> Burst:
    """Send `n` requests at once (each with its own connection) and wait for all of them."""
    url, server = _target(server_or_url, path)
    ensure_file_limit(n + 256)
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    server_cpu_before = server.cpu_seconds() if server is not None else None
    cpu_before = time.thread_time()
    async with aiohttp.ClientSession(connector=connector, timeout=client_timeout) as session:
        t0 = time.perf_counter()
        async with asyncio.timeout(timeout + 10):  # a hard stop even if a timeout were missed
            results = await asyncio.gather(*(_one(session, i, method, url, headers, t0) for i in range(n)))
    client_cpu = time.thread_time() - cpu_before
    wall = max(r.end for r in results) - min(r.start for r in results)
    # server_cpu_before is a float whenever there is a server
    server_cpu = server.cpu_seconds() - server_cpu_before if server is not None else None  # type: ignore[operator]
    return Burst(url, n, list(results), wall, client_cpu, server_cpu)


async def athroughput(
    server_or_url: LiveServer | str,
    path: str = "/",
    *,
    concurrency: int = 16,
    duration: float = 3.0,
    timeout: float = 10.0,
) -> Burst:
    """Closed loop: `concurrency` clients each send request after request (keep-alive) for `duration` s.

    `extra["rps"]` is completed requests per second; with a LiveServer, `extra["server_cpu_per_request"]`.
    """
    url, server = _target(server_or_url, path)
    results: list[RequestResult] = []
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        # Warm up: open the connections, let the server import and cache what it needs.
        await asyncio.gather(*(_one(session, -1, "GET", url, None, time.perf_counter()) for _ in range(concurrency)))
        server_cpu_before = server.cpu_seconds() if server is not None else None
        cpu_before = time.thread_time()
        t0 = time.perf_counter()

        async def client() -> None:
            while time.perf_counter() - t0 < duration:
                results.append(await _one(session, len(results), "GET", url, None, t0))

        async with asyncio.timeout(duration + timeout + 10):
            await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - t0
        client_cpu = time.thread_time() - cpu_before
        # server_cpu_before is a float whenever there is a server
        server_cpu = server.cpu_seconds() - server_cpu_before if server is not None else None  # type: ignore[operator]
    done = sum(1 for r in results if r.error is None)
    batch = Burst(url, len(results), results, elapsed, client_cpu, server_cpu)
    batch.extra["rps"] = done / elapsed
    batch.extra["client_cpu_per_request"] = client_cpu / max(done, 1)
    if server_cpu is not None:
        batch.extra["server_cpu_per_request"] = server_cpu / max(done, 1)
    return batch


def run_in_own_loop(
    coroutine_function: Callable[..., Coroutine[Any, Any, _Result]], *args: Any, deadline: float, **kwargs: Any
) -> _Result:
    """Run a coroutine on a fresh event loop in a new thread and wait for its result (the load generator's, and the
    checks of lab 08's streams: they run in a notebook too).

    A Jupyter cell already has a running loop, so `asyncio.run` is not allowed there; a thread with its
    own loop is. uvloop is used when installed (it is with uvicorn[standard]). As timeit does, the garbage
    collector is run first and paused meanwhile: a full collection in a kernel that holds Django and
    matplotlib can stop every thread for tens of milliseconds in the middle of a burst.
    """
    outcome: dict = {}
    gc.collect()
    gc_was_enabled = gc.isenabled()
    gc.disable()

    def target() -> None:
        try:
            import uvloop

            runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
        except ImportError:
            runner = asyncio.Runner()
        try:
            with runner:
                outcome["value"] = runner.run(coroutine_function(*args, **kwargs))
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="liveproject-load", daemon=True)
    thread.start()
    try:
        thread.join(deadline)
    finally:
        if gc_was_enabled:
            gc.enable()
    if thread.is_alive():
        raise TimeoutError(f"{coroutine_function.__name__} did not finish within {deadline:.0f} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


# The sync twin of aburst, with the same parameters on purpose: notebook cells and checks call it without await.
def burst(
    server_or_url: LiveServer | str,
    path: str = "/",
    n: int = 10,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> Burst:
    """`aburst` for sync callers and notebook cells: N requests at once, per-request start/end/status."""
    return run_in_own_loop(
        aburst, server_or_url, path, n, method=method, headers=headers, timeout=timeout, deadline=timeout + 30
    )


def throughput(
    server_or_url: LiveServer | str,
    path: str = "/",
    *,
    concurrency: int = 16,
    duration: float = 3.0,
    timeout: float = 10.0,
) -> Burst:
    """`athroughput` for sync callers and notebook cells."""
    return run_in_own_loop(
        athroughput,
        server_or_url,
        path,
        concurrency=concurrency,
        duration=duration,
        timeout=timeout,
        deadline=duration + timeout + 30,
    )


def calibrate(n: int, seconds: float = 0.2) -> Burst:
    """The same burst against a trivial server (no Django): what the load generator itself adds."""
    from liveproject.server import LiveServer

    with LiveServer("trivial") as trivial:
        return burst(trivial, f"/?seconds={seconds}", n)


def peak_during(
    measure: Callable[[], _Sample], action: Callable[[], _Result], *, interval: float = 0.005
) -> tuple[_Result, _Sample | None]:
    """Run `action()` while sampling `measure()` every `interval` seconds on another thread.

    Returns (what action returned, the largest sample). Chapter 01 uses it to count a server's threads
    while a burst is in flight.
    """
    samples: list[_Sample] = []
    done = threading.Event()

    def sampler() -> None:
        while not done.is_set():
            samples.append(measure())
            done.wait(interval)

    thread = threading.Thread(target=sampler, name="liveproject-sampler", daemon=True)
    thread.start()
    try:
        result = action()
    finally:
        done.set()
        thread.join(10)
    return result, max(samples) if samples else None


def plateau_during(
    measure: Callable[[], _Sample], action: Callable[[], _Result], *, interval: float = 0.005
) -> tuple[_Result, _Sample | None]:
    """Like `peak_during`, but returns the value `measure()` held most often while `action()` ran.

    A peak also catches what lives for an instant: at the end of every request, asgiref 3.13 starts a short-lived
    thread to join that request's thread, so a server's peak thread count while N requests finish can exceed
    N by a few. The plateau is the count while all N were waiting, the same on every run.
    """
    samples: list[_Sample] = []

    def sample() -> _Sample:
        value = measure()
        samples.append(value)
        return value

    result, _ = peak_during(sample, action, interval=interval)
    return result, Counter(samples).most_common(1)[0][0] if samples else None


async def time_awaits(awaitables: Iterable[Awaitable[object]], *, together: bool, label: str = "awaits") -> Burst:
    """Await `awaitables` one after another, or all at once through asyncio.gather (`together=True`), and record
    when each one started and ended, as a Burst that plots.plot_timelines() draws like a burst of requests.

        runs = {"gather": await time_awaits([slow_query(0.1).afirst() for _ in range(4)], together=True)}

    Chapter 04 times ORM calls this way. `wall` is the first start to the last end. An exception from one of
    them propagates, and the coroutines not awaited yet are closed (no "never awaited" warning).
    """
    pending = list(awaitables)
    results: list[RequestResult] = []
    t0 = time.perf_counter()

    async def timed(index: int, awaitable: Awaitable[object]) -> None:
        start = time.perf_counter() - t0
        await awaitable
        results.append(RequestResult(index, start, time.perf_counter() - t0, 200))

    try:
        if together:
            await asyncio.gather(*(timed(index, awaitable) for index, awaitable in enumerate(pending)))
        else:
            for index, awaitable in enumerate(pending):
                await timed(index, awaitable)
    finally:
        for awaitable in pending:  # left over after an error: close them instead of leaving them unawaited
            if asyncio.iscoroutine(awaitable) and inspect.getcoroutinestate(awaitable) == inspect.CORO_CREATED:
                awaitable.close()
    results.sort(key=lambda result: result.index)
    wall = max(r.end for r in results) - min(r.start for r in results) if results else 0.0
    return Burst(label, len(results), results, wall, 0.0)


def cpu_per_request(
    targets: Mapping[str, tuple[LiveServer, str]], *, rounds: int = 4, concurrency: int = 16, duration: float = 0.7
) -> dict[str, float]:
    """Server CPU time per request of each target, measured in turns: {label: median seconds of CPU per request}.

    `targets` maps a label to (server, path). Each round runs a short closed loop (`throughput`) against every
    target in turn, and each target's result is the median of its `rounds` runs. The CPU comes from the server's
    processes (LiveServer.cpu_seconds), so the load generator's own work is not in it. Taking turns and keeping
    medians is what makes this usable on a shared two-core machine: a slow spell of the machine hits every target
    alike instead of one, and a run it disturbed more than the others is dropped by the median. Chapter 05 compares
    middleware stacks with it.
    """
    import statistics

    samples: dict[str, list[float]] = {label: [] for label in targets}
    for _ in range(rounds):
        for label, (server, path) in targets.items():
            run = throughput(server, path, concurrency=concurrency, duration=duration)
            samples[label].append(run.extra["server_cpu_per_request"])
    return {label: statistics.median(values) for label, values in samples.items()}
