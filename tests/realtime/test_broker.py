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


async def test_publishers_racing_in_threads_reach_a_subscriber_in_id_order_and_none_is_lost():
    broker = Broker()
    async with broker.subscribe("race") as subscription:
        threads = [threading.Thread(target=lambda: [broker.publish("race", {}) for _ in range(50)]) for _ in range(4)]
        for thread in threads:
            thread.start()
        got = [await asyncio.wait_for(subscription.next(), 2) for _ in range(200)]
        for thread in threads:
            thread.join(5)
    assert [event.id for event in got] == list(range(1, 201))


async def test_a_last_id_from_before_a_restart_makes_the_client_new_instead_of_deaf():
    restarted = Broker()  # ids start again at 1; the browser last saw 57 from the old process
    async with restarted.subscribe("news", after=57) as subscription:
        assert subscription.missed == []
        first = restarted.publish("news", {"n": 1})
        assert await asyncio.wait_for(subscription.next(), 2) == first


async def test_a_topic_costs_nothing_once_nobody_listens_and_nothing_is_published():
    broker = Broker()
    async with broker.subscribe("passing-by"):
        assert broker.subscribers() == {"passing-by": 1}
    assert broker._listeners == {}  # noqa: SLF001 - the point is what the broker keeps
    assert broker._kept == {}  # noqa: SLF001


async def test_a_client_too_far_behind_has_its_stream_ended_not_an_endless_queue(monkeypatch):
    from realtime import broker as broker_module

    monkeypatch.setattr(broker_module, "MAX_QUEUED", 3)
    broker = Broker()
    async with broker.subscribe("flood") as subscription:
        for n in range(5):
            broker.publish("flood", {"n": n})
        await asyncio.sleep(0.05)  # the loop runs the deliveries
        got = [await asyncio.wait_for(subscription.next(), 1) for _ in range(4)]
    assert [event.data["n"] if event else None for event in got] == [0, 1, 2, None]
