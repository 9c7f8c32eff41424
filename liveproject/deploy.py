"""What a deployment costs, measured on a running LiveServer: chapters 09a to 09e measure it, chapter 10 reuses it.

    held = connections_held({"CONN_MAX_AGE=60": leaky, "pool": pooled}, n=40, later=3.0)
    held["CONN_MAX_AGE=60"].later               # database connections that server still holds 3 s after the burst

    cost = cost_of_waiting(server, "/wait/async/?seconds=3", 1000)
    cost.extra_threads, cost.extra_rss, cost.cpu_per_request   # what 1,000 waiting requests cost the server

    event_arrivals(server, "/stream/events/?count=5&interval=0.2")   # when each server-sent event arrived

    profile = profile_server(server)            # Server header, processes, 20 waits, CPU per request, WebSocket
    [(answers, seconds)] = shut_down_in_flight([server], {"1 s": "/wait/async/?seconds=1"})  # SIGTERM mid-request

    starved = pool_under_streams({"holding": (holding, "/articles/async/article-01/watch/holding/?seconds=5")})
    starved["holding"].statuses                 # what other requests got while 4 streams were open

Each number is read from the outside, as an operator would: threads and resident memory (RSS) of the server's
processes with psutil, connections in PostgreSQL's pg_stat_activity, or, on SQLite, the handles the server's
processes hold open on the database file.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
import psutil

from liveproject.load import Burst, burst, run_in_own_loop

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from liveproject.server import LiveServer


def database_connections(server: LiveServer) -> int:
    """How many connections `server` holds to its own database right now.

    PostgreSQL: the backends pg_stat_activity lists for the server's database. SQLite has no server to ask: there,
    the handles the server's processes hold open on the database file, one per open connection (the `-wal` and
    `-shm` files that WAL mode adds are not counted).
    """
    if server.database is None:
        raise ValueError(f"{server!r} has no database")
    if server.database.backend == "postgresql":
        return server.database_connections()  # type: ignore[return-value]  # an int on PostgreSQL
    path = os.path.realpath(server.database.name)
    handles = 0
    for pid in server.worker_pids():
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            handles += sum(1 for f in psutil.Process(pid).open_files() if os.path.realpath(f.path) == path)
    return handles


@dataclass(frozen=True)
class ConnectionsHeld:
    """Database connections a server held after a burst of requests that each ran a query."""

    statuses: Counter  # the burst's answers
    soon: int  # connections held `soon_seconds` after the last answer
    later: int  # ... and `later_seconds` after it (at least)
    soon_seconds: float
    later_seconds: float
    threads_before: int  # the server's threads before the burst, once they had stopped changing
    threads_later: int  # ... and at `later`: threads of finished requests have exited by then


def connections_held(
    servers: Mapping[str, LiveServer],
    path: str = "/articles/async/slugs/",
    n: int = 40,
    *,
    soon: float = 0.25,
    later: float = 3.0,
) -> dict[str, ConnectionsHeld]:
    """Send `n` concurrent requests to `path` on each server in turn, then count the database connections each
    server holds `soon` seconds after its burst and again at least `later` seconds after it.

    The servers wait together for `later`, so comparing three variants costs one wait, not three. A connection
    that a request closed at its end is gone by `soon`; one left behind is still there at `later`.
    """
    measured = {}
    for label, server in servers.items():
        threads_before = server.idle_thread_count()
        answered = burst(server, path, n)
        ended = time.monotonic()
        time.sleep(max(0.0, ended + soon - time.monotonic()))
        measured[label] = (answered, ended, database_connections(server), threads_before)
    time.sleep(max(0.0, measured[next(reversed(measured))][1] + later - time.monotonic()))
    results = {}
    for label, server in servers.items():
        answered, ended, held_soon, threads_before = measured[label]
        results[label] = ConnectionsHeld(
            statuses=answered.statuses,
            soon=held_soon,
            later=database_connections(server),
            soon_seconds=soon,
            later_seconds=time.monotonic() - ended,
            threads_before=threads_before,
            threads_later=server.idle_thread_count(),
        )
    return results


def _rss(server: LiveServer) -> int:
    total = 0
    for pid in server.worker_pids():
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += psutil.Process(pid).memory_info().rss
    return total


@dataclass(frozen=True)
class WaitingCost:
    """What `n` concurrent waiting requests cost a server, over all its processes."""

    n: int
    statuses: Counter
    wall: float  # first request sent to last answer, seconds
    idle_threads: int
    peak_threads: int
    idle_rss: int  # bytes of resident memory before the burst
    peak_rss: int  # the most while the requests waited
    server_cpu: float  # CPU seconds the server used during the burst

    @property
    def extra_threads(self) -> int:
        return self.peak_threads - self.idle_threads

    @property
    def extra_rss(self) -> int:
        return self.peak_rss - self.idle_rss

    @property
    def cpu_per_request(self) -> float:
        return self.server_cpu / self.n


def cost_of_waiting(
    server: LiveServer,
    path: str,
    n: int,
    *,
    warmup: str = "/ping/async/",
    interval: float = 0.05,
    timeout: float = 90.0,
) -> WaitingCost:
    """Send `n` concurrent requests to `path`, a view that waits (`/wait/async/?seconds=3`, a long poll), and
    measure what the server spends on them: the peak of its thread count and of its resident memory (RSS),
    sampled every `interval` seconds over all its processes while they wait, and its CPU time per request.

    `warmup` is requested three times first, one after another, so that imports and caches the first request
    fills are not counted; one at a time, so that a thread pool does not grow before the idle count is taken.
    """
    for _ in range(3):
        server.client.get(warmup)  # type: ignore[union-attr]  # a running server has its client
    idle_threads, idle_rss = server.idle_thread_count(), _rss(server)
    samples: list[tuple[int, int]] = []
    done = threading.Event()

    def sampler() -> None:
        while not done.is_set():
            samples.append((server.thread_count(), _rss(server)))
            done.wait(interval)

    watcher = threading.Thread(target=sampler, name="liveproject-cost-of-waiting", daemon=True)
    watcher.start()
    try:
        answered = burst(server, path, n, timeout=timeout)
    finally:
        done.set()
        watcher.join(10)
    return WaitingCost(
        n=n,
        statuses=answered.statuses,
        wall=answered.wall,
        idle_threads=idle_threads,
        peak_threads=max([count for count, _ in samples] + [idle_threads]),
        idle_rss=idle_rss,
        peak_rss=max([rss for _, rss in samples] + [idle_rss]),
        server_cpu=answered.server_cpu,  # type: ignore[arg-type]  # a float: the burst had a LiveServer
    )


def event_arrivals(server: LiveServer, path: str, *, timeout: float = 10.0) -> list[float]:
    """Seconds after the request was sent at which each server-sent event (`data:` line) of `path` arrived."""
    arrivals, started = [], time.perf_counter()
    # a running server has its client
    with server.client.stream("GET", path, timeout=timeout) as response:  # type: ignore[union-attr]
        for line in response.iter_lines():
            if line.startswith("data:"):
                arrivals.append(time.perf_counter() - started)
    return arrivals


OUTLIVE_CLIENTS = 10.0  # shut_down_in_flight waits this much longer for an exit than its clients wait for answers


def shut_down_in_flight(
    servers: Sequence[LiveServer], requests: Mapping[str, str], *, in_flight: str = "", timeout: float = 15.0
) -> list[tuple[dict[str, int | str], float]]:
    """Shut each server down as a deploy does, with requests in flight, all servers at once (one grace period
    to wait, not one per server).

    To every server, send each of `requests` (label -> path) from a thread of its own; wait until its log shows
    `in_flight` (a line a view logs once it runs), and 0.3 s more; send SIGTERM, as a process manager does; wait for
    it to exit, for up to `timeout` + `OUTLIVE_CLIENTS` seconds: longer than any client waits, since a server may
    wait for its clients to give up before it exits.
    Returns, per server, what each client got (a status, or the name of the httpx error of a request cut off) and
    the seconds from its SIGTERM to its exit (inf if it had not exited by then; it is then killed). Every server is
    stopped, whatever happens.
    """
    answers: list[dict[str, int | str]] = [{} for _ in servers]
    exits: list[float] = [float("nan")] * len(servers)

    def call(index: int, label: str, path: str) -> None:
        try:
            response = servers[index].client.get(path, timeout=timeout)  # type: ignore[union-attr]
            answers[index][label] = response.status_code
        except httpx.HTTPError as error:
            answers[index][label] = type(error).__name__

    def terminate(index: int) -> None:
        servers[index].send_signal(signal.SIGTERM)
        try:
            exits[index] = servers[index].wait_for_exit(timeout=timeout + OUTLIVE_CLIENTS)
        except TimeoutError:
            exits[index] = math.inf

    callers = [
        threading.Thread(target=call, args=(index, label, path), daemon=True)
        for index in range(len(servers))
        for label, path in requests.items()
    ]
    terminators = [threading.Thread(target=terminate, args=(index,), daemon=True) for index in range(len(servers))]
    try:
        for caller in callers:
            caller.start()
        for server in servers:
            if in_flight:
                server.wait_for_log(in_flight)
        time.sleep(0.3)  # the other requests, sent as early, have reached their views too, even on a busy machine
        for terminator in terminators:
            terminator.start()
        deadline = time.monotonic() + timeout + OUTLIVE_CLIENTS + 5
        for thread in terminators + callers:
            thread.join(max(0.0, deadline - time.monotonic()))
    finally:
        for server in servers:
            server.stop()
    return [
        ({label: got.get(label, "no answer") for label in requests}, took)
        for got, took in zip(answers, exits, strict=True)
    ]


def websocket_welcome(server: LiveServer, room: str = "lobby") -> str:
    """ "yes" when a WebSocket to the realtime app's room (realtime/consumers.py) opens and its welcome arrives;
    otherwise the name of what failed (a WSGI server, say, answers the handshake with an HTTP status)."""
    from websockets.sync.client import connect

    url = f"ws{server.url.removeprefix('http')}/ws/rooms/{room}/"  # type: ignore[union-attr]
    try:
        with connect(url, origin=server.url, proxy=None, open_timeout=5, close_timeout=2) as socket:
            message = json.loads(socket.recv(timeout=5))
    except Exception as error:  # noqa: BLE001 - what failed is the answer
        return type(error).__name__
    return "yes" if message.get("type") == "welcome" else f"unexpected message {message.get('type')!r}"


@dataclass(frozen=True)
class ServerProfile:
    """A running server serving the project, measured from the outside by `profile_server`."""

    kind: str
    interface: str  # what the view saw: "ASGI" or "WSGI"
    server_header: str
    processes: int  # the server process and every process it started
    overlap: Burst  # 20 concurrent requests that each wait 0.2 s
    cpu_per_request: float  # server CPU seconds per trivial async request
    websocket: str  # "yes", or what failed


def profile_server(server: LiveServer, *, requests: int = 200) -> ServerProfile:
    """Measure a running server: what answers (Server header, processes), 20 concurrent waits of 0.2 s, the
    server's CPU time per trivial async request (`requests` of them, 50 at a time, after a warm-up), and whether
    a WebSocket to the chat room opens."""
    where = server.client.get("/where/async/")  # type: ignore[union-attr]
    processes = len(server.worker_pids())
    burst(server, "/ping/async/", 20)  # warm-up: imports and caches the first requests fill are not counted
    overlap = burst(server, "/wait/async/?seconds=0.2", 20)
    rounds = max(1, requests // 50)
    cpu = sum(burst(server, "/ping/async/", 50).server_cpu or 0.0 for _ in range(rounds))
    return ServerProfile(
        kind=server.kind,
        interface=where.json()["interface"],
        server_header=where.headers.get("server", "(none)"),
        processes=processes,
        overlap=overlap,
        cpu_per_request=cpu / (rounds * 50),
        websocket=websocket_welcome(server),
    )


__all__ = [
    "ConnectionsHeld",
    "ServerProfile",
    "WaitingCost",
    "connections_held",
    "cost_of_waiting",
    "database_connections",
    "event_arrivals",
    "profile_server",
    "shut_down_in_flight",
    "websocket_welcome",
]


@dataclass(frozen=True)
class PoolUnderStreams:
    """What other requests got while long-lived requests (streams) were open on a server (`pool_under_streams`)."""

    streams: int  # streams that sent their first event before the other requests, and more bytes after them
    statuses: Counter  # the other requests' answers
    wall: float  # seconds from sending the other requests to their last answer
    refusal: dict | None  # the JSON body of the first answer that was not a 200, if any
    retry_after: str | None  # ... and its Retry-After header
    ready: int  # the readiness probe's status (/health/ready/) meanwhile
    connections: int  # connections the server held to its database with the streams open (database_connections)


def pool_under_streams(
    variants: Mapping[str, tuple[LiveServer, str]],
    path: str = "/articles/async/slugs/",
    *,
    streams: int = 4,
    requests: int = 8,
    timeout: float = 15.0,
) -> dict[str, PoolUnderStreams]:
    """For each variant, (a server, the path of a stream): open `streams` such streams and, once each has
    answered (its view has run its first query), count the server's database connections, then send `requests`
    concurrent GETs of `path` and a readiness probe; then close the streams (the server cancels their views).
    All variants at once, each with a client of its own."""

    async def measure(server: LiveServer, stream_path: str) -> PoolUnderStreams:
        limits = httpx.Limits(max_connections=streams + requests + 2)
        async with (
            httpx.AsyncClient(base_url=server.url or "", timeout=timeout, limits=limits) as client,
            contextlib.AsyncExitStack() as open_streams,
        ):
            opened = await asyncio.gather(
                *(open_streams.enter_async_context(client.stream("GET", stream_path)) for _ in range(streams))
            )
            chunks = [response.aiter_raw() for response in opened]
            await asyncio.gather(*(anext(chunk) for chunk in chunks))  # each stream's first event: it is streaming
            connections = await asyncio.to_thread(database_connections, server)
            started = time.perf_counter()
            answers = await asyncio.gather(*(client.get(path) for _ in range(requests)))
            wall = time.perf_counter() - started
            ready = await client.get("/health/ready/")

            async def still_streaming(chunk: AsyncIterator[bytes]) -> bool:  # more bytes came after the first event
                try:
                    await asyncio.wait_for(anext(chunk), timeout)
                except (StopAsyncIteration, TimeoutError, httpx.HTTPError):
                    return False
                return True

            still_open = sum(await asyncio.gather(*(still_streaming(chunk) for chunk in chunks)))
        refused = next((answer for answer in answers if answer.status_code != 200), None)
        return PoolUnderStreams(
            streams=still_open,
            statuses=Counter(answer.status_code for answer in answers),
            wall=wall,
            refusal=refused.json() if refused is not None else None,
            retry_after=refused.headers.get("Retry-After") if refused is not None else None,
            ready=ready.status_code,
            connections=connections,
        )

    async def measure_all() -> list[PoolUnderStreams]:
        return await asyncio.gather(*(measure(server, stream) for server, stream in variants.values()))

    results = run_in_own_loop(measure_all, deadline=3 * timeout + 30)
    return dict(zip(variants, results, strict=True))
