"""Every pages endpoint in-process (Client for sync views, AsyncClient for async ones)."""

import re

import pytest
from django.test import AsyncClient, Client


@pytest.fixture
def aclient():
    return AsyncClient()


async def test_async_hello_keeps_the_seed_shape(aclient):
    response = await aclient.get("/async-hello/")
    assert response.json() == {"message": "hello from async view"}
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-Id"])
    assert float(response["X-MW-Duration-Ms"]) >= 98  # the view awaits 0.1 s; loop timers tick in whole ms


@pytest.mark.parametrize(("path", "mode", "low", "high"), [
    ("/async-demo/concurrent/", "concurrent", 190, 900),
    ("/async-demo/sequential/", "sequential", 990, 3000),
])  # fmt: skip
async def test_async_demos_keep_the_seed_shape_and_timing(aclient, path, mode, low, high):
    data = (await aclient.get(path)).json()
    assert set(data) == {"mode", "duration_ms", "results"}
    assert data["mode"] == mode
    assert data["results"] == [{"task": n, "done": True} for n in range(1, 6)]
    assert low <= data["duration_ms"] <= high


async def test_async_status_view(aclient):
    assert (await aclient.get("/async-status/")).json() == {"status": "ok", "kind": "cbv-async"}


async def test_async_status_view_rejects_post_with_json_405(aclient):
    response = await aclient.post("/async-status/")
    assert response.status_code == 405
    assert response.json()["allowed"] == ["GET", "HEAD", "OPTIONS"]


def test_ping_twins():
    assert Client().get("/ping/sync/").json() == {"pong": True, "view": "sync"}


async def test_async_ping(aclient):
    assert (await aclient.get("/ping/async/")).json() == {"pong": True, "view": "async"}


def test_sync_wait_waits():
    response = Client().get("/wait/sync/", {"seconds": "0.05"})
    assert response.json() == {"view": "sync", "waited": 0.05}
    assert float(response["X-MW-Duration-Ms"]) >= 50


async def test_async_wait_waits(aclient):
    response = await aclient.get("/wait/async/", {"seconds": "0.05"})
    assert response.json() == {"view": "async", "waited": 0.05}
    assert float(response["X-MW-Duration-Ms"]) >= 49  # asyncio.sleep may end up to a ms early


def test_sync_compute_uses_the_cpu_it_was_asked_for():
    response = Client().get("/compute/sync/", {"seconds": "0.02"})
    assert response.json() == {"view": "sync", "cpu_seconds": 0.02}
    assert float(response["X-MW-Duration-Ms"]) >= 20


async def test_async_compute(aclient):
    assert (await aclient.get("/compute/async/", {"seconds": "0"})).json() == {"view": "async", "cpu_seconds": 0.0}


def test_burn_cpu_spends_thread_cpu_time():
    import time

    from pages.views.twins import burn_cpu

    before = time.thread_time()
    assert burn_cpu(0.02) > 0
    assert time.thread_time() - before >= 0.02


def test_sync_where_under_the_wsgi_test_client():
    data = Client().get("/where/sync/").json()
    assert data | {"thread": None} == {
        "view": "sync", "interface": "WSGI", "thread": None, "main_thread": True,
        "event_loop_running": False, "event_loop_serial": None,
    }  # fmt: skip


async def test_async_where_under_the_asgi_test_client(aclient):
    data = (await aclient.get("/where/async/")).json()
    assert (data["view"], data["interface"], data["event_loop_running"]) == ("async", "ASGI", True)
    assert isinstance(data["event_loop_serial"], int)


async def test_slow_upstream_answers_with_the_requested_status(aclient):
    response = await aclient.get("/upstream/", {"delay": "0", "status": "503"})
    assert (response.status_code, response.json()) == (503, {"delay": 0.0, "status": 503})


async def test_blocking_twins_answer(aclient):
    for path, view in [("/blocking/mistake/", "async_blocking_mistake"), ("/blocking/fixed/", "async_blocking_fixed")]:
        assert (await aclient.get(path, {"seconds": "0.01"})).json() == {"view": view, "blocked_for": 0.01}


async def test_long_poll_completes_when_nothing_cancels_it(aclient, caplog):
    caplog.set_level("INFO", logger="pages.lifecycle")
    response = await aclient.get("/long-poll/", {"seconds": "0.01"}, headers={"X-Request-Id": "poll-1"})
    assert response.json() == {"event": None, "waited": 0.01}
    assert [r.getMessage() for r in caplog.records if r.name == "pages.lifecycle"] == [
        "long-poll poll-1 started", "long-poll poll-1 cleanup", "long-poll poll-1 completed",
    ]  # fmt: skip


async def test_event_stream_sends_numbered_events(aclient):
    response = await aclient.get("/stream/events/", {"count": "3", "interval": "0"})
    assert response["Content-Type"] == "text/event-stream"
    body = b"".join([chunk async for chunk in response.streaming_content]).decode()
    assert body == "".join(f'id: {n}\nevent: tick\ndata: {{"n": {n}}}\n\n' for n in range(3))


# Bad input anywhere: a clear 4xx with a JSON message, never a 500 or a traceback page.
BAD_INPUT = [
    ("get", "/wait/async/?seconds=abc", 400, "seconds must be a number"),
    ("get", "/wait/sync/?seconds=-1", 400, "seconds must be between 0 and 10.0"),
    ("get", "/wait/async/?seconds=1e400", 400, "seconds must be a finite number"),
    ("get", "/wait/sync/?seconds=99999999999999999999999999999999999", 400, "too long"),
    ("get", "/upstream/?status=700", 400, "status must be between 200 and 599"),
    ("get", "/upstream/?delay=11", 400, "delay must be between 0 and 10.0"),
    ("get", "/fan-out/?delays=1,x", 400, "delays must be comma-separated numbers"),
    ("get", "/fan-out/?delays=" + ",".join(["0"] * 51), 400, "at most 50 are allowed"),
    ("get", "/fan-out/?delays=0.1&statuses=200,200", 400, "only 1 delays"),
    ("get", "/fan-out/?timeout=0", 400, "timeout must be between 0.01 and 10"),
    ("get", "/fan-out/?concurrency=0", 400, "concurrency must be between 1 and 50"),
    ("get", "/blocking/mistake/?seconds=6", 400, "seconds must be between 0 and 5"),
    ("get", "/compute/async/?seconds=3", 400, "seconds must be between 0 and 2"),
    ("get", "/compute/sync/?seconds=x", 400, "seconds must be a number"),
    ("get", "/long-poll/?seconds=61", 400, "seconds must be between 0 and 60"),
    ("get", "/stream/events/?count=1001", 400, "count must be between 1 and 1000"),
    ("get", "/stream/events/?interval=nan", 400, "interval must be a finite number"),
    ("post", "/wait/async/", 405, "method POST is not allowed here; allowed: GET"),
    ("put", "/async-hello/", 405, "method PUT is not allowed here; allowed: GET"),
    ("delete", "/ping/sync/", 405, "method DELETE is not allowed here; allowed: GET"),
    ("post", "/async-demo/concurrent/", 405, "method POST is not allowed here; allowed: GET"),
    ("get", "/db/gather/?mode=parallel", 400, "mode must be one of sequential, gather, threads, not 'parallel'"),
    ("get", "/db/gather/?n=9", 400, "n must be between 1 and 8"),
    ("get", "/db/gather/?seconds=2", 400, "seconds must be between 0 and 1"),
]


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize(("method", "path", "status", "message"), BAD_INPUT)
async def test_bad_input_gets_a_clear_4xx(settings, debug, method, path, status, message):
    settings.DEBUG = debug
    response = await getattr(AsyncClient(), method)(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert message in response.json()["error"]


async def test_request_origin_reports_scheme_and_client(aclient):
    assert (await aclient.get("/where/client/")).json() == {"scheme": "http", "secure": False, "client": "127.0.0.1"}
    secure = (await aclient.get("/where/client/", secure=True)).json()
    assert (secure["scheme"], secure["secure"]) == ("https", True)
