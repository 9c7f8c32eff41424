"""Events for server-sent streams, kept in this process, numbered, with a backlog for clients that come back.

Each topic remembers its recent events, so a client that reconnects with the last id it saw (Last-Event-ID) is
sent what it missed before anything new.

One broker per server process: a client connected to another worker process of the same server sees none of
this one's events (chapter 11 shows it, then fans events out across processes).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

BACKLOG = 100  # events each topic keeps for clients that come back: older ones are gone for good


@dataclass(frozen=True)
class Event:
    id: int  # increasing across all topics of this process, so "after id N" means the same on every topic
    topic: str
    data: dict


@dataclass(eq=False)  # each subscription is itself: hashed by identity, kept in a set
class Subscription:
    missed: list[Event]  # what the topic kept after the client's last id, oldest first
    queue: asyncio.Queue[Event] = field(default_factory=asyncio.Queue)  # what is published from now on


class Broker:
    def __init__(self, backlog: int = BACKLOG) -> None:
        self._lock = threading.Lock()  # publish() may be called from a thread (a sync view, a sync island)
        self._ids = itertools.count(1)
        self._kept: dict[str, deque[Event]] = defaultdict(lambda: deque(maxlen=backlog))
        self._listeners: dict[str, set[tuple[asyncio.AbstractEventLoop, Subscription]]] = defaultdict(set)

    def publish(self, topic: str, data: dict) -> Event:
        """Number the event, keep it, and hand it to every subscriber of `topic` on that subscriber's loop."""
        with self._lock:
            event = Event(next(self._ids), topic, data)
            self._kept[topic].append(event)
            listeners = list(self._listeners[topic])
        for loop, subscription in listeners:
            # asyncio.Queue is not thread-safe: put it on the queue from the loop that waits on it
            with contextlib.suppress(RuntimeError):  # that loop has just closed: its subscriber is gone
                loop.call_soon_threadsafe(subscription.queue.put_nowait, event)
        return event

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str, *, after: int | None = None) -> AsyncIterator[Subscription]:
        """Listen to `topic` until the block ends (the stream's end, or the client hanging up). `after`: the last
        id the client saw; the events kept since then come first, in `missed`."""
        loop = asyncio.get_running_loop()
        with self._lock:  # listening before reading what was kept: an event published in between is not lost
            subscription = Subscription(missed=[e for e in self._kept[topic] if after is not None and e.id > after])
            entry = (loop, subscription)
            self._listeners[topic].add(entry)
        try:
            yield subscription
        finally:
            with self._lock:
                self._listeners[topic].discard(entry)

    def subscribers(self) -> dict[str, int]:
        """How many clients listen to each topic right now (topics nobody listens to are left out)."""
        with self._lock:
            return {topic: len(listeners) for topic, listeners in sorted(self._listeners.items()) if listeners}

    @property
    def last_id(self) -> int:
        with self._lock:
            return max((kept[-1].id for kept in self._kept.values() if kept), default=0)


broker = Broker()  # this process's
