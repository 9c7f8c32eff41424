"""The benchmark's machinery on a tiny run (the real run is `nox -s bench`, not a unit test)."""

import json

import pytest
from asgiref.sync import iscoroutinefunction
from django.utils.module_loading import import_string

from liveproject import bench


@pytest.mark.live
def test_a_small_benchmark_writes_its_table_plot_and_verdict(tmp_path):
    assert bench.main(["--out", str(tmp_path), "--ns", "1,4", "--configs", "0,2", "--rps-seconds", "0.5"]) == 0
    results = json.loads((tmp_path / "bench.json").read_text())
    assert [(row["label"], row["n"]) for row in results["rows"]] == [
        ("uvicorn, async view", 1), ("uvicorn, async view", 4),
        ("gunicorn gthread 1x4, sync view", 1), ("gunicorn gthread 1x4, sync view", 4),
    ]  # fmt: skip
    assert all(row["errors"] == 0 and row["wall"] >= 0.195 for row in results["rows"])
    report = (tmp_path / "bench.md").read_text()
    assert "| uvicorn, async view | 4 |" in report
    assert "Target: async views under ASGI within 1.5x of their limit at every N:" in report
    # Each server's behaviour: the ASGI server opened the WebSocket, the WSGI one could not; both let a 1 s
    # request in flight finish after SIGTERM (a 2 s grace period).
    behaviour = {row["label"]: (row["websocket"], row["shutdown"]) for row in results["throughput"][1:]}
    assert behaviour["uvicorn, async view"] == ("yes", 200)
    assert behaviour["gunicorn gthread 1x4, sync view"][0] != "yes"
    assert behaviour["gunicorn gthread 1x4, sync view"][1] == 200
    assert "## The floor: 0.2 s + N x " in report
    assert (tmp_path / "bench.png").stat().st_size > 10_000


def test_limits_follow_the_model():
    threaded = bench.Config("t", "gunicorn-gthread", "/", "/", threads=4)
    looped = bench.Config("l", "uvicorn", "/", "/")
    assert bench.limit(threaded, 1, 0.01) == 0.2
    assert bench.limit(threaded, 9, 0.01) == 3 * 0.2  # ceil(9/4) rounds of waits
    assert abs(bench.limit(looped, 1000, 0.004) - 4.2) < 1e-9


def test_the_floor_spreads_the_cheapest_cpu_over_every_core():
    assert abs(bench.floor(1000, 0.0016, 2) - 1.0) < 1e-9  # 0.2 s + 1000 x 1.6 ms / 2 cores
    assert bench.floor(1, 0.0016, 2) < 0.201


def test_the_fastest_configuration_is_built_one_step_at_a_time():
    steps = {config.label: config for config in bench.CONFIGS}
    assert steps["uvicorn --loop asyncio --http h11, async view"].args == ("--loop", "asyncio", "--http", "h11")
    lean = {path for config in bench.CONFIGS if config.middleware is not None for path in config.middleware}

    async def view_handler(request):
        return None

    # Given an async handler, every lean layer is a coroutine function itself: Django adapts nothing, so no hook
    # runs on a thread (a MiddlewareMixin class would run its process_* hooks through sync_to_async).
    assert len(lean) == 4
    assert all(iscoroutinefunction(import_string(path)(view_handler)) for path in lean)
    [fastest] = [config for config in bench.CONFIGS if config.fastest]
    assert fastest.workers == bench.CORES
    assert fastest.middleware == bench.lean_middleware()
