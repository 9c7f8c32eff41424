"""Events for server-sent streams: numbered, with a backlog for clients that come back, shared by a process's streams.

Each topic remembers its recent events, so a client that reconnects with the last id it saw (Last-Event-ID) is
sent what it missed before anything new.

One broker per server process. On its own, a client connected to another worker process of the same server sees
none of this one's events. With REALTIME_BUS=redis (the default when REDIS_URL is set) the broker numbers, keeps and
delivers events through Redis (realtime/fanout.py); with REALTIME_BUS=postgres, through PostgreSQL's table and
LISTEN/NOTIFY (realtime/pg_fanout.py); either way every process sees every event (chapter 11 shows it).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from realtime.fanout import RedisFanout

if TYPE_CHECKING:
    from realtime.pg_fanout import PostgresFanout

BACKLOG = 100  # events each topic keeps for clients that come back: older ones are gone for good
MAX_QUEUED = 1000  # events waiting for one slow client; past that its stream ends, and it resumes from the backlog


@dataclass(frozen=True)
class Event:
    id: int  # increasing across all topics, so "after id N" means the same on every topic and every process
    topic: str
    data: dict


@dataclass(eq=False)  # each subscription is itself: hashed by identity, kept in a set
class Subscription:
    missed: list[Event]  # what the topic kept after the client's last id, oldest first
    # What is published from now on; None when the broker ends the subscription (it lost Redis, or the client
    # fell more than MAX_QUEUED events behind).
    queue: asyncio.Queue[Event | None] = field(default_factory=lambda: asyncio.Queue(MAX_QUEUED + 1))
    sent_up_to: int = 0  # the highest id already handed out: an event both kept and delivered comes once

    def offer(self, event: Event | None) -> None:
        """Queue `event` (on the subscriber's loop). A client too slow to take MAX_QUEUED events gets None instead:
        its stream ends rather than this process holding events for it without limit."""
        if event is not None and self.queue.qsize() >= MAX_QUEUED:
            event = None
        with contextlib.suppress(asyncio.QueueFull):  # the None is already queued
            self.queue.put_nowait(event)

    async def next(self) -> Event | None:
        """The next event published from now on, in order, never one already in `missed`; None: the stream must end
        (its client reconnects with its last id and misses nothing the backlog still holds)."""
        while True:
            event = await self.queue.get()
            if event is None or event.id > self.sent_up_to:
                if event is not None:
                    self.sent_up_to = event.id
                return event


class Broker:
    def __init__(self, backlog: int = BACKLOG, *, fanout: RedisFanout | PostgresFanout | None = None) -> None:
        self.fanout = fanout  # None: this process only
        self.backlog = backlog
        self._lock = threading.Lock()  # publish() may be called from a thread (a sync view, a sync island)
        self._ids = itertools.count(1)
        self._kept: dict[str, deque[Event]] = {}  # a topic appears here once something is published to it
        self._listeners: dict[str, set[tuple[asyncio.AbstractEventLoop, Subscription]]] = {}  # only while listened
        self._last_id = 0

    def publish(self, topic: str, data: dict) -> Event:
        """Number the event, keep it, and hand it to every subscriber of `topic` on that subscriber's loop. With a
        fanout, Redis numbers and keeps it, and every process's relay (this one's too) delivers it."""
        if self.fanout is not None:
            return self.fanout.publish(topic, data)
        with self._lock:  # numbering and handing out under one lock: every loop gets the events in id order
            event = Event(next(self._ids), topic, data)
            self._kept.setdefault(topic, deque(maxlen=self.backlog)).append(event)
            self._deliver_locked(event)
        return event

    async def apublish(self, topic: str, data: dict) -> Event:
        """publish() for async code: with a fanout, it talks to Redis without blocking the event loop."""
        if self.fanout is not None:
            return await self.fanout.apublish(topic, data)
        return self.publish(topic, data)

    def deliver(self, event: Event | None) -> None:
        """Hand `event` (from the relay) to this process's subscribers of its topic; None ends every subscription."""
        with self._lock:
            self._deliver_locked(event)

    def _deliver_locked(self, event: Event | None) -> None:
        if event is not None:
            self._last_id = max(self._last_id, event.id)
            listeners = list(self._listeners.get(event.topic, ()))
        else:
            listeners = [entry for entries in self._listeners.values() for entry in entries]
        for loop, subscription in listeners:
            # asyncio.Queue is not thread-safe: put it on the queue from the loop that waits on it
            with contextlib.suppress(RuntimeError):  # that loop has just closed: its subscriber is gone
                loop.call_soon_threadsafe(subscription.offer, event)

    async def ready(self) -> None:
        """With a fanout: return once this process hears every event (raises BusUnavailable without Redis)."""
        if self.fanout is not None:
            await self.fanout.listening(self.deliver)

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str, *, after: int | None = None) -> AsyncIterator[Subscription]:
        """Listen to `topic` until the block ends (the stream's end, or the client hanging up). `after`: the last
        id the client saw; the events kept since then come first, in `missed`.

        An `after` above the last id ever given out comes from before a restart (the in-memory counter starts
        again at 1): the client is treated as new, or it would ignore every event up to its old id."""
        loop = asyncio.get_running_loop()
        await self.ready()  # with a fanout, this process hears every event from here on
        with self._lock:  # listening before reading what was kept: an event published in between is not lost
            kept = self._kept.get(topic, ())
            subscription = Subscription(missed=[e for e in kept if after is not None and e.id > after])
            entry = (loop, subscription)
            self._listeners.setdefault(topic, set()).add(entry)
            last_id = self._last_id
        try:
            if self.fanout is not None and after is not None:
                subscription.missed, last_id = await self.fanout.missed(topic, after)
            if after is not None and after > last_id:
                after, subscription.missed = None, []
            subscription.sent_up_to = max([after or 0, *(event.id for event in subscription.missed)])
            yield subscription
        finally:
            with self._lock:
                listeners = self._listeners.get(topic, set())
                listeners.discard(entry)
                if not listeners:
                    self._listeners.pop(topic, None)  # a topic nobody listens to costs nothing

    def subscribers(self) -> dict[str, int]:
        """How many clients listen to each topic right now (topics nobody listens to are left out)."""
        with self._lock:
            return {topic: len(listeners) for topic, listeners in sorted(self._listeners.items()) if listeners}

    @property
    def last_id(self) -> int:
        """The highest id this process has published or delivered."""
        with self._lock:
            return self._last_id


def _from_settings() -> Broker:
    from django.conf import settings

    if settings.REALTIME_BUS == "redis":
        return Broker(fanout=RedisFanout(settings.REDIS_URL, prefix=f"{settings.REDIS_PREFIX}:sse", backlog=BACKLOG))
    if settings.REALTIME_BUS == "postgres":
        from realtime.pg_fanout import PostgresFanout  # imports the models: only once Django is set up

        return Broker(fanout=PostgresFanout(backlog=BACKLOG))
    return Broker()


broker = _from_settings()  # this process's
