"""The SSE view under uvicorn: a client that hangs up is unsubscribed at once, a reconnect resumes after its last id,
and heartbeats flow while nothing happens."""

import json
import time

import httpx
import pytest

from liveproject import LiveServer
from tests.conftest import soon

pytestmark = pytest.mark.live  # every test here starts a server

HEARTBEAT = 0.2  # seconds, for these servers: the project's default is 15


def blocks(lines, *, within: float = 5.0):
    """Server-sent blocks from an httpx line iterator: each a dict of its fields (a comment as {"": text}). Fails
    when the stream is still going after `within` seconds: heartbeats would keep a wrong stream alive forever."""
    deadline = time.monotonic() + within
    block = {}
    for line in lines:
        assert time.monotonic() < deadline, f"the stream sent nothing expected within {within} s"
        if line == "":
            if block:
                yield block
            block = {}
        else:
            name, _, value = line.partition(":")
            block[name] = value.strip()


def subscribers(server, topic) -> int:
    return server.client.get("/realtime/stats/").json()["subscribers"].get(topic, 0)


@pytest.fixture(scope="module")
def server():
    with LiveServer("uvicorn", settings={"REALTIME_HEARTBEAT_SECONDS": HEARTBEAT}) as server:
        yield server


def test_a_client_that_hangs_up_is_unsubscribed_and_the_server_logs_it(server):
    with (
        httpx.Client(base_url=server.url, timeout=5) as client,
        client.stream("GET", "/realtime/leaving/events/") as response,
    ):
        assert response.headers["content-type"].startswith("text/event-stream")
        stream = blocks(response.iter_lines())
        assert next(stream) == {"retry": "1000"}
        assert subscribers(server, "leaving") == 1
    # the connection is closed here, in the middle of an endless stream
    assert soon(lambda: subscribers(server, "leaving") == 0)
    assert server.wait_for_log("on leaving closed after 0 events")


def test_a_reconnect_with_last_event_id_gets_what_it_missed_first(server):
    editor = server.login("editor")
    with httpx.Client(base_url=server.url, timeout=5) as client:
        with client.stream("GET", "/realtime/desk/events/?limit=1") as response:
            stream = blocks(response.iter_lines())
            next(stream)  # retry: subscribed
            first = editor.post("/realtime/desk/publish/", json={"message": "one"}).json()
            event = next(stream)
        assert event["id"] == str(first["id"])
        assert json.loads(event["data"]) == {"message": "one", "by": "editor"}
        # away: two more are published; back with the last id seen
        missed = [editor.post("/realtime/desk/publish/", json={"message": m}).json()["id"] for m in ("two", "three")]
        with client.stream("GET", "/realtime/desk/events/?limit=2", headers={"Last-Event-ID": event["id"]}) as response:
            resumed = [block for block in blocks(response.iter_lines()) if "id" in block]
    assert [int(block["id"]) for block in resumed] == missed
    assert [json.loads(block["data"])["message"] for block in resumed] == ["two", "three"]


def test_an_idle_stream_sends_heartbeats_and_a_bad_last_event_id_is_a_400(server):
    with httpx.Client(base_url=server.url, timeout=5) as client:
        with client.stream("GET", "/realtime/idle/events/") as response:
            stream = blocks(response.iter_lines())
            started = time.monotonic()
            assert next(stream) == {"retry": "1000"}
            assert next(stream) == {"": "heartbeat"}
            assert next(stream) == {"": "heartbeat"}
            assert time.monotonic() - started >= 1.5 * HEARTBEAT  # two beats, one heartbeat apart
        refused = client.get("/realtime/idle/events/", headers={"Last-Event-ID": "yesterday"})
    assert refused.status_code == 400
    assert "Last-Event-ID must be the id of an event" in refused.json()["error"]


def test_under_wsgi_the_stream_sends_nothing_as_django_reads_an_async_stream_to_its_end_first():
    # Django serves an async iterator to a WSGI server by collecting it into a list, and this stream never ends:
    # the server's one sync worker is taken, and not even the retry line (which uvicorn sends at once) arrives.
    with LiveServer("gunicorn-sync", settings={"REALTIME_HEARTBEAT_SECONDS": HEARTBEAT}) as wsgi:
        with pytest.raises(httpx.ReadTimeout):
            wsgi.client.get("/realtime/wsgi/events/", timeout=httpx.Timeout(5.0, read=1.5))
        log = wsgi.log_text()
    assert "StreamingHttpResponse must consume asynchronous iterators" in log
