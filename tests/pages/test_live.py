"""Behaviour that only exists on a real server: threads and loops, disconnects, concurrency."""

import concurrent.futures
import time

import httpx
import pytest

from liveproject import LiveServer

pytestmark = pytest.mark.live  # every test here starts a server or another process


def where(server, view, n=3):
    return [server.client.get(f"/where/{view}/").json() for _ in range(n)]


def test_under_uvicorn_async_views_share_one_loop_on_the_main_thread(uvicorn_server):
    reports = where(uvicorn_server, "async")
    assert {(r["interface"], r["thread"], r["event_loop_running"]) for r in reports} == {("ASGI", "MainThread", True)}
    assert len({r["event_loop_serial"] for r in reports}) == 1


def test_under_uvicorn_sync_views_run_on_a_worker_thread_without_a_loop(uvicorn_server):
    for report in where(uvicorn_server, "sync"):
        assert report["interface"] == "ASGI"
        assert not report["main_thread"]
        assert not report["event_loop_running"]


def test_under_gunicorn_async_views_get_a_new_loop_per_request():
    with LiveServer("gunicorn-sync") as server:
        reports = where(server, "async")
        sync_reports = where(server, "sync")
    assert {(r["interface"], r["main_thread"], r["event_loop_running"]) for r in reports} == {("WSGI", False, True)}
    assert len({r["event_loop_serial"] for r in reports}) == 3  # a fresh loop each time
    assert {(r["interface"], r["thread"], r["event_loop_running"]) for r in sync_reports} == {
        ("WSGI", "MainThread", False)
    }


def test_fan_out_reports_each_outcome_and_answers_despite_a_timeout(uvicorn_server):
    data = uvicorn_server.client.get(
        "/fan-out/", params={"delays": "0.1,0.1,3", "statuses": "200,503,200", "timeout": "0.5"}
    ).json()
    assert data["summary"] == {"ok": 1, "error": 1, "timeout": 1}
    assert [(c["call"], c["outcome"], c["status"]) for c in data["calls"]] == [
        (0, "ok", 200),
        (1, "error", 503),
        (2, "timeout", None),
    ]
    assert 400 <= data["duration_ms"] < 2900  # the timeout, not the 3 s upstream, bounds the answer


def test_gather_does_not_run_the_async_orm_in_parallel_inside_a_request(uvicorn_server):
    # Four queries that each wait 0.1 s in the database, in one request: the request's one thread-sensitive
    # thread runs them one after another whether they are gathered or not; on threads of their own they overlap.
    def duration(mode):
        data = uvicorn_server.client.get("/db/gather/", params={"n": 4, "seconds": 0.1, "mode": mode}).json()
        return data["duration_ms"] / 1000

    assert duration("sequential") >= 0.39
    assert duration("gather") >= 0.39
    assert duration("threads") < 0.3


def test_the_upstream_logs_the_call_the_fan_out_gave_up_on(uvicorn_server):
    uvicorn_server.client.get(
        "/fan-out/", params={"delays": "0.05,3", "timeout": "0.3"}, headers={"X-Request-Id": "fan-1"}
    )
    line = uvicorn_server.wait_for_log("upstream fan-1-call1 cancelled")
    assert 0.25 <= float(line.split("after ")[1].split()[0]) < 2.5
    assert uvicorn_server.log_lines("upstream fan-1-call0 cancelled") == []  # the fast call was answered


def test_fan_out_respects_its_concurrency_bound(uvicorn_server):
    data = uvicorn_server.client.get("/fan-out/", params={"delays": "0.3,0.3,0.3,0.3", "concurrency": "2"}).json()
    assert data["summary"]["ok"] == 4
    assert data["duration_ms"] >= 590  # two rounds of 0.3 s: never more than 2 calls at once


def test_fan_out_never_deadlocks_on_a_single_sync_worker():
    # A sync worker is busy running the fan-out, so it cannot also answer its own /upstream/ calls:
    # each call times out and the view still answers, instead of waiting for itself forever.
    with LiveServer("gunicorn-sync") as server:
        response = server.client.get("/fan-out/", params={"delays": "0.1,0.1", "timeout": "0.5"})
    assert response.json()["summary"] == {"ok": 0, "error": 0, "timeout": 2}


def test_fan_out_under_wsgi_works_with_a_separate_upstream(uvicorn_server):
    with LiveServer("gunicorn-sync", env={"UPSTREAM_URL": f"{uvicorn_server.url}/upstream/"}) as server:
        response = server.client.get("/fan-out/", params={"delays": "0.1,0.1", "timeout": "2"})
    assert response.json()["summary"] == {"ok": 2, "error": 0, "timeout": 0}


def ping_while(server, path, seconds):
    """Latency of /ping/async/ sent while `path` is running on the same server."""
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        slow = pool.submit(server.client.get, path, params={"seconds": seconds})
        time.sleep(0.2)  # let the slow request reach the view first
        started = time.perf_counter()
        server.client.get("/ping/async/")
        latency = time.perf_counter() - started
        slow.result()
    return latency


def test_a_blocking_call_in_async_def_stalls_other_requests_and_the_fix_does_not(uvicorn_server):
    # Lower bound for the mistake (a blocked loop cannot answer early), generous upper bound for the fix.
    assert ping_while(uvicorn_server, "/blocking/mistake/", 1.5) >= 0.9
    assert ping_while(uvicorn_server, "/blocking/fixed/", 1.5) < 0.9


def test_a_client_disconnect_cancels_the_long_poll_and_runs_its_cleanup(uvicorn_server):
    with pytest.raises(httpx.ReadTimeout):
        uvicorn_server.client.get(
            "/long-poll/", params={"seconds": 30}, headers={"X-Request-Id": "gone-1"}, timeout=0.3
        )
    uvicorn_server.wait_for_log("long-poll gone-1 cancelled")
    uvicorn_server.wait_for_log("long-poll gone-1 cleanup")
    assert uvicorn_server.log_lines("long-poll gone-1 completed") == []
    uvicorn_server.wait_for_log("/long-poll/?seconds=30 499-client-disconnected")


def test_events_stream_incrementally(uvicorn_server):
    arrivals = []
    started = time.perf_counter()
    with uvicorn_server.client.stream("GET", "/stream/events/", params={"count": 4, "interval": 0.25}) as response:
        for line in response.iter_lines():
            if line.startswith("data:"):
                arrivals.append(time.perf_counter() - started)
    assert len(arrivals) == 4
    assert arrivals[0] < 0.7
    assert arrivals[-1] - arrivals[0] >= 0.45


def test_a_disconnect_stops_the_stream(uvicorn_server):
    with uvicorn_server.client.stream(
        "GET", "/stream/events/", params={"count": 1000, "interval": 0.05}, headers={"X-Request-Id": "sse-1"}
    ) as response:
        for line in response.iter_lines():
            if line == "id: 2":
                break
    line = uvicorn_server.wait_for_log("stream sse-1 closed after")
    sent = int(line.split("closed after ")[1].split()[0])
    assert 3 <= sent < 1000
    assert uvicorn_server.log_lines("stream sse-1 disconnected after")


def test_a_global_async_client_breaks_under_wsgi_and_a_per_request_client_does_not(uvicorn_server):
    upstream = {"UPSTREAM_URL": f"{uvicorn_server.url}/upstream/"}
    with LiveServer("gunicorn-sync", env=upstream) as server:
        global_statuses = [server.client.get("/clients/global/").status_code for _ in range(4)]
        per_request = [server.client.get("/clients/per-request/").status_code for _ in range(4)]
        server.wait_for_log("RuntimeError: Event loop is closed")
    assert global_statuses == [200, 500, 200, 500]  # the stale connection fails once, then is dropped
    assert per_request == [200] * 4


def test_both_clients_work_on_a_single_event_loop(uvicorn_server):
    for path in ("/clients/global/", "/clients/per-request/"):
        assert [uvicorn_server.client.get(path).json()["upstream_status"] for _ in range(3)] == [200] * 3


def test_a_background_task_finishes_under_uvicorn_but_is_cancelled_under_wsgi(uvicorn_server):
    uvicorn_server.client.get("/background/fire-and-forget/", headers={"X-Request-Id": "bg-asgi"})
    uvicorn_server.wait_for_log("background bg-asgi done")
    with LiveServer("gunicorn-sync") as server:
        assert server.client.get("/background/fire-and-forget/", headers={"X-Request-Id": "bg-wsgi"}).json() == {
            "queued": True
        }
        server.wait_for_log("background bg-wsgi cancelled")
    assert server.log_lines("background bg-wsgi done") == []


def test_a_background_task_is_lost_when_uvicorn_stops():
    with LiveServer("uvicorn") as server:
        server.client.get("/background/fire-and-forget/", headers={"X-Request-Id": "bg-lost"})
        server.wait_for_log("background bg-lost started")
    assert server.log_lines("background bg-lost done") == []


def read_events(server, path, *, request_id, stop_after=None):
    """Arrival time (seconds) of each `data:` line; closes the connection after `stop_after` events."""
    arrivals, started = [], time.perf_counter()
    with server.client.stream("GET", path, headers={"X-Request-Id": request_id}) as response:
        for line in response.iter_lines():
            if line.startswith("data:"):
                arrivals.append(time.perf_counter() - started)
                if stop_after is not None and len(arrivals) >= stop_after:
                    break
    return arrivals


def test_a_disconnect_cancels_the_await_but_not_the_sync_work_behind_it(uvicorn_server):
    with pytest.raises(httpx.ReadTimeout):
        uvicorn_server.client.get("/sync-work/", params={"seconds": 1.5}, headers={"X-Request-Id": "sw-1"}, timeout=0.3)
    cancelled = uvicorn_server.wait_for_log("sync work sw-1: view cancelled after")
    finished = uvicorn_server.wait_for_log("sync work sw-1 finished after", timeout=10)
    assert float(cancelled.split("after ")[1].split()[0]) < 1.0
    assert float(finished.split("after ")[1].split()[0]) >= 1.49


def test_a_sync_stream_under_asgi_is_buffered_whole_and_runs_on_after_a_disconnect(uvicorn_server):
    arrivals = read_events(uvicorn_server, "/stream/events/sync/?count=5&interval=0.2", request_id="sync-sse-1")
    assert len(arrivals) == 5
    assert arrivals[0] >= 0.78
    uvicorn_server.wait_for_log("StreamingHttpResponse must consume synchronous iterators")
    read_events(uvicorn_server, "/stream/events/sync/?count=20&interval=0.05", request_id="sync-sse-2", stop_after=1)
    uvicorn_server.wait_for_log("stream sync-sse-2 closed after 20 events")  # every event, for nobody


def test_a_sync_stream_under_wsgi_streams_and_notices_a_disconnect_at_a_later_write():
    with LiveServer("gunicorn-sync") as server:
        arrivals = read_events(server, "/stream/events/sync/?count=4&interval=0.25", request_id="wsgi-sse-1")
        assert arrivals[0] < 0.7
        assert arrivals[-1] - arrivals[0] >= 0.45
        read_events(server, "/stream/events/sync/?count=200&interval=0.05", request_id="wsgi-sse-2", stop_after=3)
        line = server.wait_for_log("stream wsgi-sse-2 closed after")
        assert 3 <= int(line.split("after ")[1].split()[0]) < 200
        buffered = read_events(server, "/stream/events/?count=4&interval=0.25", request_id="wsgi-sse-3")
        assert buffered[0] >= 0.7  # an async iterator under WSGI: consumed whole first
        server.wait_for_log("StreamingHttpResponse must consume asynchronous iterators")


def test_a_blocking_call_delays_the_cancellation_until_it_returns(uvicorn_server):
    with pytest.raises(httpx.ReadTimeout):
        uvicorn_server.client.get(
            "/blocking/mistake/", params={"seconds": 1}, headers={"X-Request-Id": "blocked-1"}, timeout=0.3
        )
    line = uvicorn_server.wait_for_log("id=blocked-1", timeout=10)
    assert "499-client-disconnected" in line
    assert float(line.split("499-client-disconnected ")[1].split("ms")[0]) >= 990


def test_persistent_connections_are_never_reused_under_asgi_and_the_pool_reuses_its_own():
    from liveproject.databases import backend

    def connections_used(server, n=10):
        return {server.client.get("/db/connection/").json()["connection"] for _ in range(n)}

    with (
        LiveServer("uvicorn", database={"CONN_MAX_AGE": 60, "OPTIONS": {}}) as persistent,
        LiveServer("uvicorn") as pooled,
    ):
        assert len(connections_used(persistent)) == 10  # a new connection, on a new thread, every request
        if backend() == "postgresql":
            assert len(connections_used(pooled)) <= 8  # the pool's max_size
        else:  # no pool on SQLite: CONN_MAX_AGE=0 opens a new connection for each request as well
            assert len(connections_used(pooled)) == 10
