"""The benchmark's machinery on a tiny run (the real run is `nox -s bench`, not a unit test)."""

import json

import pytest

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
    assert (tmp_path / "bench.png").stat().st_size > 10_000


def test_limits_follow_the_model():
    threaded = bench.Config("t", "gunicorn-gthread", "/", "/", threads=4)
    looped = bench.Config("l", "uvicorn", "/", "/")
    assert bench.limit(threaded, 1, 0.01) == 0.2
    assert bench.limit(threaded, 9, 0.01) == 3 * 0.2  # ceil(9/4) rounds of waits
    assert abs(bench.limit(looped, 1000, 0.004) - 4.2) < 1e-9
