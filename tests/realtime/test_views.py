"""The SSE view in-process: ids, resume from Last-Event-ID, the heartbeat, bounded streams, and the 4xx rules."""

import asyncio
import json

import pytest

from realtime.broker import broker
from tests.conftest import TEST_PASSWORD


class Stream:
    """Reads an async StreamingHttpResponse block by block (an event, a comment, the retry line), as a client does.
    One iterator for the whole response: each access to streaming_content makes a new wrapper."""

    def __init__(self, response):
        self.chunks = aiter(response.streaming_content)
        self.buffer = ""

    async def read(self, count: int, *, timeout: float = 2.0) -> list[str]:
        blocks = []
        while len(blocks) < count:
            while "\n\n" not in self.buffer:
                self.buffer += (await asyncio.wait_for(anext(self.chunks), timeout)).decode()
            block, self.buffer = self.buffer.split("\n\n", 1)
            blocks.append(block)
        return blocks

    async def ended(self, *, timeout: float = 2.0) -> bool:
        try:
            await asyncio.wait_for(anext(self.chunks), timeout)
        except StopAsyncIteration:
            return True
        return False


def fields(block: str) -> dict:
    return dict(line.split(": ", 1) for line in block.splitlines())


async def test_a_stream_sends_numbered_events_and_resumes_after_the_last_id(async_client):
    response = await async_client.get("/realtime/view-test/events/?limit=2")
    assert response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-cache"
    assert response["X-Accel-Buffering"] == "no"
    stream = Stream(response)
    assert await stream.read(1) == ["retry: 1000"]
    sent = [broker.publish("view-test", {"n": n}) for n in range(3)]
    first, second = [fields(block) for block in await stream.read(2)]
    assert first == {"id": str(sent[0].id), "event": "view-test", "data": json.dumps({"n": 0})}
    assert second["id"] == str(sent[1].id)
    assert await stream.ended()  # limit=2: the stream ends, and its subscription with it
    assert "view-test" not in broker.subscribers()
    # the client comes back with the last id it saw: the next event first, nothing it already had
    again = await async_client.get("/realtime/view-test/events/?limit=1", headers={"Last-Event-ID": second["id"]})
    _, resumed = await Stream(again).read(2)
    assert fields(resumed)["id"] == str(sent[2].id)


async def test_an_idle_stream_sends_a_heartbeat_comment(async_client, settings):
    settings.REALTIME_HEARTBEAT_SECONDS = 0.05
    stream = Stream(await async_client.get("/realtime/quiet/events/?limit=1"))
    assert await stream.read(3) == ["retry: 1000", ": heartbeat", ": heartbeat"]
    broker.publish("quiet", {"n": 1})
    (event,) = await stream.read(1)
    assert json.loads(fields(event)["data"]) == {"n": 1}
    assert await stream.ended()


# "²" (a header byte 0xB2, which Django decodes as latin-1) is a digit to str.isdigit() and not to int(): a 500 once
@pytest.mark.parametrize("last_id", ["abc", "-1", "1" * 40, "²"])
async def test_a_bad_last_event_id_is_a_400_with_a_message(async_client, last_id):
    response = await async_client.get("/realtime/news/events/", headers={"Last-Event-ID": last_id})
    assert response.status_code == 400
    assert "Last-Event-ID must be the id of an event" in response.json()["error"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("username", "body", "status", "error"),
    [
        (None, {"message": "hi"}, 401, "log in to publish"),
        ("reader", {"message": "hi"}, 403, "only staff can publish"),
        ("editor", {"message": ""}, 400, "non-empty message"),
        ("editor", {"message": 5}, 400, "non-empty message"),
        ("editor", {"message": "x" * 1001}, 400, "at most 1000"),
        ("editor", [], 400, "JSON object"),
    ],
)
async def test_publishing_needs_staff_and_a_message(async_client, seeded, username, body, status, error):
    if username:
        await async_client.alogin(username=username, password=TEST_PASSWORD)
    response = await async_client.post("/realtime/news/publish/", body, content_type="application/json")
    assert response.status_code == status
    assert error in response.json()["error"]


@pytest.mark.django_db(transaction=True)
async def test_a_published_message_gets_an_id_and_reaches_the_stream(async_client, seeded):
    await async_client.alogin(username="editor", password=TEST_PASSWORD)
    stream = Stream(await async_client.get("/realtime/desk/events/?limit=1"))
    await stream.read(1)  # retry: subscribed from here on
    response = await async_client.post("/realtime/desk/publish/", {"message": "hi"}, content_type="application/json")
    assert response.status_code == 201
    (block,) = await stream.read(1)
    assert fields(block)["id"] == str(response.json()["id"])
    assert json.loads(fields(block)["data"]) == {"message": "hi", "by": "editor"}
    stats = (await async_client.get("/realtime/stats/")).json()
    assert stats["last_id"] == response.json()["id"]


async def test_the_safe_gzip_middleware_leaves_event_streams_alone_and_compresses_the_rest(async_client, settings):
    settings.MIDDLEWARE = ["realtime.middleware.EventStreamSafeGZipMiddleware", *settings.MIDDLEWARE]
    stream = await async_client.get("/realtime/gzip-test/events/?limit=1", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in stream
    assert await Stream(stream).read(1) == ["retry: 1000"]
    page = await async_client.get("/realtime/live/", headers={"Accept-Encoding": "gzip"})
    assert page["Content-Encoding"] == "gzip"


async def test_a_topic_name_longer_than_50_characters_is_a_400(async_client):
    response = await async_client.get(f"/realtime/{'t' * 51}/events/")
    assert response.status_code == 400
    assert "1 to 50 letters" in response.json()["error"]
