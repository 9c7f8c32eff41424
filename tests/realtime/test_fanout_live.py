"""Two worker processes under gunicorn + UvicornWorker: an event published through one worker reaches the streams
held by the other only when a bus carries it, Redis (REDIS_URL) or PostgreSQL's LISTEN/NOTIFY."""

import json

import httpx
import pytest

from liveproject import LiveServer, databases
from liveproject.sse import streams_on_every_worker

pytestmark = pytest.mark.live  # every test here starts a server


@pytest.mark.parametrize(
    "bus", ["", "redis", "postgres"], ids=["each-process-alone", "through-redis", "through-postgres"]
)
async def test_an_event_reaches_the_streams_of_every_worker_only_through_a_bus(bus, redis_url):
    if bus == "postgres" and databases.backend() != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's: this runs on the PostgreSQL track")
    env = {"REDIS_URL": redis_url if bus == "redis" else "", "REALTIME_BUS": bus}
    through_a_bus = bool(bus)
    with LiveServer("gunicorn-uvicorn", workers=2, env=env, settings={"REALTIME_HEARTBEAT_SECONDS": 0.2}) as server:
        headers = server.login_headers("editor")
        async with streams_on_every_worker(server, "fan", workers=2) as streams:
            async with httpx.AsyncClient(base_url=server.url, timeout=5) as client:
                published = await client.post("/realtime/fan/publish/", json={"message": "to all"}, headers=headers)
            assert published.status_code == 201, published.text
            received = [await stream.next_event(within=2 if through_a_bus else 1) for stream in streams]
    got_it = [event is not None and json.loads(event[1]["data"])["message"] == "to all" for event in received]
    if through_a_bus:
        assert all(got_it), f"{got_it.count(False)} of {len(streams)} streams missed the event"
        assert {event[1]["id"] for event in received} == {str(published.json()["id"])}
    else:  # only the streams held by the worker that took the POST
        assert 0 < got_it.count(True) < len(streams), got_it
