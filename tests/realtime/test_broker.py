"""The broker numbers events, keeps a backlog per topic for clients that come back, and forgets who left."""

import asyncio
import threading

from realtime.broker import Broker


async def test_a_subscriber_gets_what_is_published_after_it_subscribed_in_order():
    broker = Broker()
    async with broker.subscribe("news") as subscription:
        first, second = broker.publish("news", {"n": 1}), broker.publish("news", {"n": 2})
        broker.publish("sport", {"n": 3})  # another topic
        got = [await asyncio.wait_for(subscription.queue.get(), 1) for _ in range(2)]
    assert [event.id for event in got] == [first.id, second.id]
    assert subscription.queue.empty()
    assert subscription.missed == []  # a first connection (no last id) gets no backlog


async def test_a_client_that_comes_back_gets_what_it_missed_and_nothing_twice():
    broker = Broker(backlog=3)
    events = [broker.publish("news", {"n": n}) for n in range(5)]
    async with broker.subscribe("news", after=events[2].id) as subscription:
        assert [event.data["n"] for event in subscription.missed] == [3, 4]
    async with broker.subscribe("news", after=0) as subscription:  # older than the backlog: what is kept
        assert [event.data["n"] for event in subscription.missed] == [2, 3, 4]


async def test_leaving_unsubscribes_even_when_the_stream_is_cancelled():
    broker = Broker()

    async def listen(ready):
        async with broker.subscribe("news") as subscription:
            ready.set()
            await subscription.queue.get()

    ready = asyncio.Event()
    task = asyncio.create_task(listen(ready))
    await ready.wait()
    assert broker.subscribers() == {"news": 1}
    task.cancel()  # what Django does to a stream whose client hung up
    await asyncio.gather(task, return_exceptions=True)
    assert broker.subscribers() == {}


async def test_an_event_published_from_another_thread_reaches_the_loop_that_waits():
    broker = Broker()
    async with broker.subscribe("news") as subscription:
        thread = threading.Thread(target=broker.publish, args=("news", {"from": "a thread"}))
        thread.start()
        event = await asyncio.wait_for(subscription.queue.get(), 2)
        thread.join(5)
    assert event.data == {"from": "a thread"}
    assert broker.last_id == event.id
