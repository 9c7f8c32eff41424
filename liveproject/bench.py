"""The course's headline measurement: `nox -s bench` (or `python -m liveproject.bench --out DIR`).

N concurrent requests that each wait 0.2 s, against the servers the course runs (the WSGI controls and the six ASGI
servers of chapter 09a), compared with what each could do at best:

* threads (gunicorn gthread, 1 worker x T threads): at most T waits at a time, so the limit is ceil(N/T) x 0.2 s;
* an event loop (uvicorn, gunicorn with either ASGI worker, Granian, hypercorn, daphne): every wait overlaps, but
  each request still costs the one process some CPU, so the limit is 0.2 s + N x (that cost). The cost is
  measured, not assumed: 1 / (requests per second of the trivial view on the same server).
* uvicorn with the *sync* view: Django runs each sync request on a thread of its own, so the waits overlap too
  and the same event-loop limit applies (with the sync view's own cost). It is shown, not held to the target:
  each request keeps its thread busy for the whole wait, and at N=1000 that varied from 1.4x to 4x between runs.

The target, on 2 cores: async views under an ASGI server stay within 1.5x of their limit at every N up to 1000.

How fast can it go? The last rows build the fastest honest configuration one step at a time, each step a row of
its own, so that the table says what each one buys: uvicorn's pure-Python loop and parser (asyncio, h11), then its
defaults (uvloop and httptools, installed with uvicorn[standard]), then a lean, fully async middleware stack (the
project's own async middleware only: no `MiddlewareMixin` hook to run on a thread), then one worker per core. The
report ends with the machine's physical floor, 0.2 s + N x (the least server CPU per request measured) / cores:
no server can answer N waits faster than the wait plus the CPU the requests need, spread over every core.

Each row also shows the load generator against a trivial server (no Django) at the same N: what the client
itself adds. Each server also gets a WebSocket to the chat room and a SIGTERM with a 1 s request in flight
(chapter 09a): the table of servers says whether the socket opened, what that request got and when the server
exited. Results go to DIR/bench.md (table), DIR/bench.png (plot) and DIR/bench.json (raw numbers).
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")

from liveproject.deploy import shut_down_in_flight, websocket_welcome  # noqa: E402
from liveproject.load import Burst, burst, throughput  # noqa: E402
from liveproject.plots import plot_latency_vs_concurrency  # noqa: E402
from liveproject.server import LiveServer  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Sequence

WAIT = 0.2
TARGET_RATIO = 1.5  # async views under ASGI should stay within 1.5x of their limit at every N
FLOOR_GOAL = 2.0  # the fastest configuration should stay within 2x of the machine's floor at N=1000
CORES = os.cpu_count() or 1


def lean_middleware() -> tuple[str, ...]:
    """The project's own middleware (config/middleware.py), each written async-first: the stack without Django's
    `MiddlewareMixin` classes, whose hooks run on a thread under ASGI (chapter 05)."""
    project = importlib.import_module("config.settings").MIDDLEWARE
    return tuple(path for path in project if path.startswith("config."))


@dataclass(frozen=True)
class Config:
    label: str
    kind: str
    wait_path: str
    ping_path: str
    threads: int | None = None  # None: an event loop (limit from CPU per request)
    held_to_target: bool = False  # async views under ASGI: the rows the 1.5x target applies to
    workers: int = 1
    middleware: tuple[str, ...] | None = None  # None: the project's MIDDLEWARE
    args: tuple[str, ...] = ()  # extra command-line arguments for the server
    fastest: bool = False  # the row the floor is compared with: the last step towards the fastest configuration


CONFIGS = [
    Config("uvicorn, async view", "uvicorn", "/wait/async/", "/ping/async/", held_to_target=True),
    Config("uvicorn, sync view", "uvicorn", "/wait/sync/", "/ping/sync/"),
    Config("gunicorn gthread 1x4, sync view", "gunicorn-gthread", "/wait/sync/", "/ping/sync/", threads=4),
    Config(
        "gunicorn + UvicornWorker, async view", "gunicorn-uvicorn", "/wait/async/", "/ping/async/", held_to_target=True
    ),
    # The other ASGI servers chapter 09a compares, one worker each, like the rows above.
    Config("gunicorn -k asgi, async view", "gunicorn-asgi", "/wait/async/", "/ping/async/", held_to_target=True),
    Config("granian, async view", "granian", "/wait/async/", "/ping/async/", held_to_target=True),
    Config("hypercorn, async view", "hypercorn", "/wait/async/", "/ping/async/", held_to_target=True),
    Config("daphne, async view", "daphne", "/wait/async/", "/ping/async/", held_to_target=True),
    # Towards the fastest honest configuration, one step per row (the first row above is uvicorn's defaults).
    Config(
        "uvicorn --loop asyncio --http h11, async view", "uvicorn", "/wait/async/", "/ping/async/",
        args=("--loop", "asyncio", "--http", "h11"),
    ),
    Config(
        "uvicorn, lean async stack, async view", "uvicorn", "/wait/async/", "/ping/async/",
        held_to_target=True, middleware=lean_middleware(),
    ),
    Config(
        f"gunicorn + UvicornWorker x{CORES} (one per core), lean async stack, async view", "gunicorn-uvicorn",
        "/wait/async/", "/ping/async/", held_to_target=True, workers=CORES, middleware=lean_middleware(), fastest=True,
    ),
]  # fmt: skip


def limit(config: Config, n: int, seconds_per_request: float) -> float:
    if config.threads:
        return math.ceil(n / config.threads) * WAIT
    return WAIT + n * seconds_per_request


def measured_burst(server: LiveServer | str, path: str, n: int, repeats: int) -> Burst:
    """The median (by wall time) of `repeats` bursts; a short pause lets the server settle in between."""
    runs = []
    for _ in range(repeats):
        runs.append(burst(server, path, n, timeout=max(60.0, 3 * n * WAIT)))
        time.sleep(0.3)
    return sorted(runs, key=lambda run: run.wall)[len(runs) // 2]


def run(ns: list[int], configs: list[Config], rps_seconds: float) -> dict:
    rows, throughputs, calibration = [], [], {}
    with LiveServer("trivial") as trivial:
        for n in ns:
            calibration[n] = measured_burst(trivial, f"/?seconds={WAIT}", n, repeats=3)
        trivial_rps = throughput(trivial, "/", concurrency=32, duration=rps_seconds)
        throughputs.append({"label": "trivial server (no Django)", "path": "/", "rps": trivial_rps.extra["rps"]})
    for config in configs:
        server = LiveServer(
            config.kind,
            threads=config.threads or 4,
            workers=config.workers,
            middleware=None if config.middleware is None else list(config.middleware),
            args=config.args,
        )
        with server:
            burst(server, config.ping_path, 50)  # warm-up: imports and caches of the first requests are not counted
            ping = throughput(server, config.ping_path, concurrency=32, duration=rps_seconds)
            per_request = 1 / ping.extra["rps"]
            for n in ns:
                the_limit = limit(config, n, per_request)
                batch = measured_burst(server, f"{config.wait_path}?seconds={WAIT}", n, 3 if the_limit <= 2 else 1)
                rows.append({
                    "label": config.label, "n": n, "wall": batch.wall, "p50": batch.p50, "p95": batch.p95,
                    "limit": the_limit, "ratio": batch.wall / the_limit, "errors": batch.errors,
                    "held_to_target": config.held_to_target, "client_cpu": batch.client_cpu,
                    "calibration_wall": calibration[n].wall, "fastest": config.fastest,
                })  # fmt: skip
            websocket = websocket_welcome(server)
            [(answers, exit_seconds)] = shut_down_in_flight([server], {"1 s request": "/wait/async/?seconds=1"})
        throughputs.append({
            "label": config.label, "path": config.ping_path, "rps": ping.extra["rps"],
            "cpu": ping.extra["server_cpu_per_request"], "websocket": websocket,
            "shutdown": answers["1 s request"], "exit": exit_seconds,
        })  # fmt: skip
    return {
        "machine": {"python": platform.python_version(), "system": platform.platform(), "cores": CORES},
        "rows": rows,
        "throughput": throughputs,
        "calibration": {
            n: {"wall": b.wall, "p50": b.p50, "p95": b.p95, "errors": b.errors, "client_cpu": b.client_cpu}
            for n, b in calibration.items()
        },
    }


def markdown(results: dict) -> str:
    lines = [
        "# Benchmark: concurrent 0.2 s waits",
        "",
        f"Machine: {results['machine']['cores']} cores, Python {results['machine']['python']}, "
        f"{results['machine']['system']}. Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        "| server and view | N | batch wall s | p50 s | p95 s | limit s | wall / limit | errors "
        "| load generator alone s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for n, calibration in results["calibration"].items():
        lines.append(
            f"| calibration: load generator vs trivial server (no Django) | {n} | {calibration['wall']:.2f} | "
            f"{calibration['p50']:.2f} | {calibration['p95']:.2f} | {WAIT:.2f} | {calibration['wall'] / WAIT:.2f} | "
            f"{calibration['errors']} | - |"
        )
    for row in results["rows"]:
        lines.append(
            f"| {row['label']} | {row['n']} | {row['wall']:.2f} | {row['p50']:.2f} | {row['p95']:.2f} | "
            f"{row['limit']:.2f} | {row['ratio']:.2f} | {row['errors']} | {row['calibration_wall']:.2f} |"
        )
    lines += [
        "",
        "Limits: threads ceil(N/threads) x 0.2 s; an event loop 0.2 s + N x (1 / trivial view's requests per second).",
        "'load generator alone' is the same burst against a trivial asyncio server with no Django.",
        "",
        "## Requests per second of a trivial view (closed loop, 32 connections)",
        "",
        "What one request costs when the view does nothing: Django's handler, the middleware stack and the server.",
        "Under ASGI the default middleware stack runs each `MiddlewareMixin` hook through `sync_to_async`, so a",
        "trivial async view costs several times what the same view costs under a threaded WSGI worker. ASGI pays off",
        "when requests wait (the table above), not when they compute.",
        "",
        "The last three columns are each server's behaviour, measured once: whether a WebSocket to the chat room",
        "opened (the project routes WebSockets to Channels; a WSGI server cannot speak the protocol), and what a 1 s",
        "request in flight got when the server was sent SIGTERM (200: the server let it finish; every server runs",
        "with a 2 s grace period, chapter 09a), with the seconds from SIGTERM to the server's exit.",
        "",
        "| server | path | requests/s | server CPU per request ms | WebSocket | SIGTERM: 1 s request | exit s |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in results["throughput"]:
        cpu_text = f"{row['cpu'] * 1000:.2f}" if row.get("cpu") is not None else "n/a"
        behaviour = f"{row['websocket']} | {row['shutdown']} | {row['exit']:.2f}" if "websocket" in row else "- | - | -"
        lines.append(f"| {row['label']} | {row['path']} | {row['rps']:.0f} | {cpu_text} | {behaviour} |")
    verdicts = [row for row in results["rows"] if row["held_to_target"]]
    if verdicts:
        worst = max(verdicts, key=lambda row: row["ratio"])
        within = all(row["ratio"] <= TARGET_RATIO for row in verdicts)
        lines += [
            "",
            f"Target: async views under ASGI within {TARGET_RATIO}x of their limit at every N: "
            f"{'met' if within else 'NOT MET'} (worst: {worst['label']}, N={worst['n']}, {worst['ratio']:.2f}x).",
        ]
    lines += floor_report(results)
    sync_under_asgi = [row for row in results["rows"] if row["label"] == "uvicorn, sync view"]
    if sync_under_asgi:
        worst = max(sync_under_asgi, key=lambda row: row["ratio"])
        lines.append(
            f"A sync view under uvicorn (one thread per request in flight) reached {worst['ratio']:.2f}x "
            f"at N={worst['n']}; it is shown for comparison and not held to the target."
        )
    return "\n".join(lines) + "\n"


def floor(n: int, least_cpu_per_request: float, cores: int) -> float:
    """The machine's physical floor for N concurrent waits: the wait itself, plus the CPU the N requests need at
    the cheapest measured cost, spread over every core."""
    return WAIT + n * least_cpu_per_request / cores


def floor_report(results: dict) -> list[str]:
    """The floor at each N, and how close the fastest configuration (and uvicorn's defaults) came to it."""
    costs = [row for row in results["throughput"] if row.get("cpu") is not None]
    if not costs:
        return []
    cheapest = min(costs, key=lambda row: row["cpu"])
    cores = results["machine"]["cores"]
    lines = [
        "",
        f"## The floor: 0.2 s + N x {cheapest['cpu'] * 1000:.2f} ms / {cores} cores",
        "",
        f"The least server CPU per request measured above is {cheapest['cpu'] * 1000:.2f} ms ({cheapest['label']}).",
        "",
        "| server and view | N | batch wall s | floor s | wall / floor |",
        "|---|---|---|---|---|",
    ]
    for row in results["rows"]:
        if row["fastest"] or row["label"] == CONFIGS[0].label:
            the_floor = floor(row["n"], cheapest["cpu"], cores)
            lines.append(
                f"| {row['label']} | {row['n']} | {row['wall']:.2f} | {the_floor:.2f} | {row['wall'] / the_floor:.2f} |"
            )
    fastest = [row for row in results["rows"] if row["fastest"]]
    if fastest:
        top = max(fastest, key=lambda row: row["n"])
        ratio = top["wall"] / floor(top["n"], cheapest["cpu"], cores)
        lines += [
            "",
            f"Goal: the fastest configuration within {FLOOR_GOAL}x of the floor at N={top['n']}: "
            f"{'met' if ratio <= FLOOR_GOAL else 'NOT MET'} ({top['wall']:.2f} s, {ratio:.2f}x).",
        ]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument("--ns", default="1,10,50,200,1000", help="comma-separated concurrency levels")
    parser.add_argument("--configs", default="all", help="comma-separated indexes into CONFIGS, or 'all'")
    parser.add_argument("--rps-seconds", type=float, default=3.0, help="duration of each throughput run")
    args = parser.parse_args(argv)
    ns = [int(n) for n in args.ns.split(",")]
    configs = CONFIGS if args.configs == "all" else [CONFIGS[int(i)] for i in args.configs.split(",")]
    results = run(ns, configs, args.rps_seconds)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(json.dumps(results, indent=2))
    report = markdown(results)
    (args.out / "bench.md").write_text(report)
    figure = plot_latency_vs_concurrency(results["rows"], title="Concurrent 0.2 s waits: measured and limit")
    figure.savefig(args.out / "bench.png", dpi=120)
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
