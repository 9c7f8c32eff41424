"""Two worker processes under gunicorn + UvicornWorker: an event published through one worker reaches the streams
held by the other only when the broker goes through Redis (REDIS_URL)."""

import json

import httpx
import pytest

from liveproject import LiveServer
from liveproject.sse import streams_on_every_worker

pytestmark = pytest.mark.live  # every test here starts a server


@pytest.mark.parametrize("through_redis", [False, True], ids=["each-process-alone", "through-redis"])
async def test_an_event_reaches_the_streams_of_every_worker_only_through_redis(through_redis, redis_url):
    env = {"REDIS_URL": redis_url if through_redis else ""}
    with LiveServer("gunicorn-uvicorn", workers=2, env=env, settings={"REALTIME_HEARTBEAT_SECONDS": 0.2}) as server:
        headers = server.login_headers("editor")
        async with streams_on_every_worker(server, "fan", workers=2) as streams:
            async with httpx.AsyncClient(base_url=server.url, timeout=5) as client:
                published = await client.post("/realtime/fan/publish/", json={"message": "to all"}, headers=headers)
            assert published.status_code == 201, published.text
            received = [await stream.next_event(within=2 if through_redis else 1) for stream in streams]
    got_it = [event is not None and json.loads(event[1]["data"])["message"] == "to all" for event in received]
    if through_redis:
        assert all(got_it), f"{got_it.count(False)} of {len(streams)} streams missed the event"
        assert {event[1]["id"] for event in received} == {str(published.json()["id"])}
    else:  # only the streams held by the worker that took the POST
        assert 0 < got_it.count(True) < len(streams), got_it
