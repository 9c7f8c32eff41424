"""The load generator: per-request timing, hard timeouts, and usable from inside a running loop."""

import asyncio
import math
import time

import pytest

from liveproject import LiveServer, burst, calibrate, throughput
from liveproject.load import Burst, RequestResult, peak_during


@pytest.fixture(scope="module")
def trivial():
    with LiveServer("trivial") as server:
        yield server


def test_a_burst_records_every_request(trivial):
    result = burst(trivial, "/?seconds=0.2", 20)
    assert result.n == 20 and len(result.results) == 20
    assert result.statuses == {200: 20}
    assert sorted(r.index for r in result.results) == list(range(20))
    assert all(r.end - r.start >= 0.195 for r in result.results)  # the server's loop timer ticks in whole ms
    assert 0.2 <= result.wall < 2.0  # 20 waits of 0.2 s overlap: far below 20 x 0.2 s
    assert result.p50 <= result.p95 and result.server_cpu is not None and result.client_cpu >= 0


def test_requests_that_take_too_long_are_recorded_as_errors_not_waited_for(trivial):
    result = burst(trivial, "/?seconds=5", 5, timeout=0.3)
    assert result.errors == 5 and result.ok == 0
    assert result.wall < 3
    assert math.isnan(result.p50)


def test_a_refused_connection_is_an_error_result():
    with LiveServer("trivial") as server:
        url = server.url
    result = burst(url, "/", 3, timeout=2)
    assert result.errors == 3 and set(result.statuses) == {"ClientConnectorError"}


def test_burst_works_while_an_event_loop_is_running(trivial):
    # A Jupyter cell runs inside a running loop, where asyncio.run() is not allowed.
    async def cell():
        return burst(trivial, "/", 3)

    assert asyncio.run(cell()).statuses == {200: 3}


def test_throughput_measures_requests_per_second_and_server_cpu(trivial):
    result = throughput(trivial, "/", concurrency=4, duration=0.5)
    assert result.extra["rps"] > 50
    assert result.extra["server_cpu_per_request"] >= 0 and result.extra["client_cpu_per_request"] > 0


def test_calibrate_runs_against_a_server_with_no_django():
    result = calibrate(10, seconds=0.1)
    assert result.statuses == {200: 10} and result.wall >= 0.1


def test_nearest_rank_percentiles():
    results = [RequestResult(i, 0.0, float(i + 1), 200) for i in range(10)]
    batch = Burst("x", 10, results, 10.0, 0.0)
    assert (batch.p50, batch.p95, batch.percentile(100), batch.percentile(10)) == (5.0, 10.0, 10.0, 1.0)


def test_peak_during_samples_while_the_action_runs():
    values = iter(range(1000))
    result, peak = peak_during(lambda: next(values), lambda: time.sleep(0.1) or "done", interval=0.005)
    assert result == "done" and peak >= 5


def test_a_sync_view_under_uvicorn_takes_a_thread_per_request_in_flight(uvicorn_server):
    idle = uvicorn_server.idle_thread_count()  # threads of earlier requests may still be exiting
    result, peak = peak_during(uvicorn_server.thread_count, lambda: burst(uvicorn_server, "/wait/sync/?seconds=1", 8))
    assert result.statuses == {200: 8}
    assert peak - idle >= 8
