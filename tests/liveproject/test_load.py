"""The load generator: per-request timing, hard timeouts, and usable from inside a running loop."""

import asyncio
import math
import time

import pytest

from liveproject import LiveServer, burst, calibrate, throughput
from liveproject.load import Burst, RequestResult, peak_during, plateau_during


@pytest.fixture(scope="module")
def trivial():
    with LiveServer("trivial") as server:
        yield server


def test_a_burst_records_every_request(trivial):
    result = burst(trivial, "/?seconds=0.2", 20)
    assert result.n == 20
    assert len(result.results) == 20
    assert result.statuses == {200: 20}
    assert sorted(r.index for r in result.results) == list(range(20))
    assert all(r.end - r.start >= 0.195 for r in result.results)  # the server's loop timer ticks in whole ms
    assert 0.2 <= result.wall < 2.0  # 20 waits of 0.2 s overlap: far below 20 x 0.2 s
    assert result.p50 <= result.p95
    assert result.server_cpu is not None
    assert result.client_cpu >= 0


def test_requests_that_take_too_long_are_recorded_as_errors_not_waited_for(trivial):
    result = burst(trivial, "/?seconds=5", 5, timeout=0.3)
    assert result.errors == 5
    assert result.ok == 0
    assert result.wall < 3
    assert math.isnan(result.p50)


@pytest.mark.live
def test_a_refused_connection_is_an_error_result():
    with LiveServer("trivial") as server:
        url = server.url
    result = burst(url, "/", 3, timeout=2)
    assert result.errors == 3
    assert set(result.statuses) == {"ClientConnectorError"}


def test_burst_works_while_an_event_loop_is_running(trivial):
    # A Jupyter cell runs inside a running loop, where asyncio.run() is not allowed.
    async def cell():
        return burst(trivial, "/", 3)

    assert asyncio.run(cell()).statuses == {200: 3}


def test_throughput_measures_requests_per_second_and_server_cpu(trivial):
    result = throughput(trivial, "/", concurrency=4, duration=0.5)
    assert result.extra["rps"] > 50
    assert result.extra["server_cpu_per_request"] >= 0
    assert result.extra["client_cpu_per_request"] > 0


@pytest.mark.live
def test_calibrate_runs_against_a_server_with_no_django():
    result = calibrate(10, seconds=0.1)
    assert result.statuses == {200: 10}
    assert result.wall >= 0.1


def test_nearest_rank_percentiles():
    results = [RequestResult(i, 0.0, float(i + 1), 200) for i in range(10)]
    batch = Burst("x", 10, results, 10.0, 0.0)
    assert (batch.p50, batch.p95, batch.percentile(100), batch.percentile(10)) == (5.0, 10.0, 10.0, 1.0)


def test_peak_during_samples_while_the_action_runs():
    values = iter(range(1000))
    result, peak = peak_during(lambda: next(values), lambda: time.sleep(0.1) or "done", interval=0.005)
    assert result == "done"
    assert peak >= 5


def test_plateau_during_returns_the_value_held_longest_not_the_spike():
    values = iter([3, 3, 9] + [5] * 1000)  # a spike of 9 between a start and a long plateau of 5
    result, plateau = plateau_during(lambda: next(values), lambda: time.sleep(0.1) or "done", interval=0.005)
    assert result == "done"
    assert plateau == 5


def test_a_sync_view_under_uvicorn_takes_a_thread_per_request_in_flight(uvicorn_server):
    idle = uvicorn_server.idle_thread_count()  # threads of earlier requests may still be exiting
    result, peak = peak_during(uvicorn_server.thread_count, lambda: burst(uvicorn_server, "/wait/sync/?seconds=1", 8))
    assert result.statuses == {200: 8}
    assert peak - idle >= 8


def test_time_awaits_records_each_await_one_after_another_or_together():
    from liveproject.load import time_awaits

    async def runs():
        waits = [0.05, 0.1, 0.05]
        one_by_one = await time_awaits([asyncio.sleep(s) for s in waits], together=False)
        together = await time_awaits([asyncio.sleep(s) for s in waits], together=True, label="gathered")
        return one_by_one, together

    one_by_one, together = asyncio.run(runs())
    assert isinstance(one_by_one, Burst)
    assert one_by_one.statuses == {200: 3}
    assert together.url == "gathered"
    assert [r.index for r in one_by_one.results] == [0, 1, 2]
    starts = [r.start for r in one_by_one.results]
    assert starts[1] >= one_by_one.results[0].end - 1e-6
    assert starts[2] >= one_by_one.results[1].end - 1e-6
    assert one_by_one.wall >= 0.196  # the three waits in a row: 0.2 s (loop timers tick in whole ms)
    assert max(r.start for r in together.results) < 0.01  # all started at once
    assert 0.098 <= together.wall < 0.19  # the longest wait alone, far below the 0.2 s in a row


def test_time_awaits_propagates_an_error_and_closes_what_it_did_not_start():
    import warnings

    from liveproject.load import time_awaits

    async def fails():
        raise ValueError("no")

    async def runs():
        never = asyncio.sleep(0.01)
        with pytest.raises(ValueError, match="no"):
            await time_awaits([fails(), never], together=False)
        return never

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "coroutine ... was never awaited" would be a RuntimeWarning
        never = asyncio.run(runs())
    assert never.cr_frame is None  # closed


def test_cpu_per_request_takes_turns_and_ranks_heavier_work_higher(uvicorn_server):
    from liveproject.load import cpu_per_request

    measured = cpu_per_request(
        {"ping": (uvicorn_server, "/ping/async/"), "5 ms of CPU": (uvicorn_server, "/compute/async/?seconds=0.005")},
        rounds=3,
        concurrency=4,
        duration=0.3,
    )
    assert list(measured) == ["ping", "5 ms of CPU"]
    assert 0 < measured["ping"] < 0.05  # a trivial request: far from 50 ms of CPU
    assert measured["5 ms of CPU"] >= 0.0049  # a view that spins 5 ms of its thread's CPU cannot cost less
    assert measured["5 ms of CPU"] > measured["ping"]
