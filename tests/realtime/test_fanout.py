"""Server-sent events across processes through Redis, in-process: two Broker objects, each with its own RedisFanout
and its own connections to Redis, are what two worker processes of one server would have (`redis_workers`,
tests/realtime/conftest.py). The delivery test runs on PostgreSQL's LISTEN/NOTIFY as well, on the PostgreSQL track."""

import asyncio
import threading

import pytest
import redis

from realtime.broker import Broker
from realtime.fanout import BusUnavailable, RedisFanout

TIMEOUT = 5  # seconds for any one event


async def next_event(subscription):
    return await asyncio.wait_for(subscription.next(), TIMEOUT)


async def test_an_event_published_in_one_process_reaches_the_subscribers_of_another(workers_of_each_bus):
    one, other = workers_of_each_bus
    async with one.subscribe("news") as here, other.subscribe("news") as there:
        sent = await other.apublish("news", {"n": 1})
        assert (await next_event(here)).data == (await next_event(there)).data == {"n": 1}
        assert sent.id == one.last_id == other.last_id  # one counter for every process
        assert here.queue.empty()  # delivered once, though both brokers heard it from the bus


async def test_a_client_that_reconnects_to_another_process_gets_what_it_missed_once(redis_workers):
    one, other = redis_workers
    sent = [one.publish("news", {"n": n}) for n in range(7)]
    async with other.subscribe("news", after=sent[3].id) as subscription:
        assert [event.data["n"] for event in subscription.missed] == [4, 5, 6]
        newer = await one.apublish("news", {"n": 7})
        assert await next_event(subscription) == newer
    async with other.subscribe("news", after=0) as subscription:  # older than the backlog: what is kept
        assert [event.data["n"] for event in subscription.missed] == [3, 4, 5, 6, 7]  # the backlog keeps 5


async def test_an_event_published_while_the_backlog_is_read_comes_once(redis_workers, monkeypatch):
    """subscribe() listens before it reads the backlog, so an event published in between is in both: sent once."""
    one, other = redis_workers
    before = one.publish("news", {"n": 0})
    read_backlog = one.fanout.missed

    async def publish_then_read(topic, after):
        during = await other.apublish(topic, {"n": 1})
        async with asyncio.timeout(TIMEOUT):
            while one.last_id < during.id:  # noqa: ASYNC110 - polls another object's state: delivered here...
                await asyncio.sleep(0.01)
        return await read_backlog(topic, after)  # ...and kept in the backlog

    monkeypatch.setattr(one.fanout, "missed", publish_then_read)
    async with one.subscribe("news", after=before.id - 1) as subscription:
        assert [event.data["n"] for event in subscription.missed] == [0, 1]
        later = await other.apublish("news", {"n": 2})
        assert await next_event(subscription) == later


async def test_publishers_racing_in_threads_are_delivered_in_the_order_of_their_ids(redis_workers):
    one, other = redis_workers
    async with one.subscribe("race") as subscription:
        threads = [
            threading.Thread(target=lambda: [other.publish("race", {"i": i}) for i in range(25)]) for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        got = [await next_event(subscription) for _ in range(100)]
        for thread in threads:
            thread.join(TIMEOUT)
    ids = [event.id for event in got]
    assert ids == sorted(ids)
    assert len(set(ids)) == 100


async def test_losing_redis_ends_the_streams_so_that_their_clients_resume(redis_workers, redis_url):
    one, other = redis_workers
    async with one.subscribe("news") as subscription:
        with redis.Redis.from_url(redis_url) as client:  # kill this broker's subscription, as a Redis restart would
            killed = [c["id"] for c in client.client_list(_type="pubsub") if c["name"] == one.fanout.client_name]
            for client_id in killed:
                client.client_kill_filter(_id=client_id)
        assert killed
        assert await next_event(subscription) is None  # the stream ends; its client reconnects with its last id
    missed = await other.apublish("news", {"while": "away"})
    async with one.subscribe("news", after=missed.id - 1) as subscription:  # the reconnect starts a new relay
        assert subscription.missed == [missed]


async def test_without_redis_publishing_and_subscribing_fail_fast_with_a_reason():
    broker = Broker(fanout=RedisFanout("redis://127.0.0.1:1/0", prefix="nowhere", backlog=5))
    try:
        with pytest.raises(BusUnavailable, match="unavailable"):
            await broker.apublish("news", {"n": 1})
        with pytest.raises(BusUnavailable):
            async with broker.subscribe("news"):
                pass
    finally:
        await broker.fanout.aclose()


async def test_a_last_id_above_the_shared_counter_makes_the_client_new(redis_workers):
    one, _ = redis_workers
    async with one.subscribe("news", after=10_000) as subscription:  # from a Redis that was emptied since
        assert subscription.missed == []
        first = await one.apublish("news", {"n": 1})
        assert await next_event(subscription) == first
