"""Server-sent events across worker processes through Redis (REALTIME_BUS=redis, the default with REDIS_URL).

One counter numbers the events of every process, a list per topic keeps each topic's backlog, and pub/sub hands
every event to the broker of every process.

Without it (REDIS_URL unset) each process's broker is on its own: a client connected to one worker process never
sees an event published in another (chapter 11 shows both).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING

import redis
import redis.asyncio
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

if TYPE_CHECKING:
    from realtime.broker import Event

log = logging.getLogger("realtime")

KEEP_SECONDS = 24 * 3600  # a topic nobody publishes to for a day loses its backlog (the id counter stays)

# Numbering, keeping and publishing in one script: Redis runs a script alone, so events reach every subscriber in
# the order of their ids even when several processes publish at once (with INCR and PUBLISH sent one by one, two
# publishers could interleave, and a subscriber would see id 6 before id 5).
PUBLISH = """
local id = redis.call('INCR', KEYS[1])
local event = '{"id": ' .. id .. ', "topic": ' .. cjson.encode(ARGV[1]) .. ', "data": ' .. ARGV[2] .. '}'
redis.call('RPUSH', KEYS[2], event)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('PUBLISH', KEYS[3], event)
return event
"""


class BusUnavailable(RuntimeError):
    """Redis cannot be reached: the view answers 503 instead of a stream that would never get an event."""


class RedisFanout:
    def __init__(self, url: str, *, prefix: str, backlog: int) -> None:
        self.url = url
        self.prefix = prefix
        self.backlog_size = backlog
        self.channel = f"{prefix}:events"
        # Its connections' name in Redis's CLIENT LIST: which process holds which subscription.
        self.client_name = f"{prefix}:pid-{os.getpid()}-{secrets.token_hex(3)}"
        self._sync: redis.Redis | None = None
        self._relays: dict[asyncio.AbstractEventLoop, Relay] = {}  # one per event loop (a server has one)

    def _keys(self, topic: str) -> list[str]:
        return [f"{self.prefix}:last-id", f"{self.prefix}:backlog:{topic}", self.channel]

    def _args(self, topic: str, data: dict) -> list:
        return [topic, json.dumps(data), self.backlog_size, KEEP_SECONDS]

    def publish(self, topic: str, data: dict) -> Event:
        """From sync code (a thread): number, keep and send the event; every process's relay delivers it."""
        if self._sync is None:
            self._sync = redis.Redis.from_url(
                self.url, socket_timeout=5, socket_connect_timeout=5, client_name=self.client_name
            )
        try:
            return _event(self._sync.eval(PUBLISH, 3, *self._keys(topic), *self._args(topic, data)))
        except redis.RedisError as error:
            raise BusUnavailable(f"the event bus (Redis) is unavailable: {error}") from error

    async def apublish(self, topic: str, data: dict) -> Event:
        """From async code: the same, without blocking the event loop on Redis."""
        relay = self._relay()
        try:
            return _event(await relay.client.eval(PUBLISH, 3, *self._keys(topic), *self._args(topic, data)))
        except redis.RedisError as error:
            raise BusUnavailable(f"the event bus (Redis) is unavailable: {error}") from error

    async def listening(self, deliver: Callable[[Event | None], None], *, timeout: float = 5.0) -> None:
        """Return once this loop's relay is subscribed (starting it the first time): an event published after that
        reaches `deliver`. The relay calls deliver(None) when it loses Redis: the streams end, and their clients
        reconnect with their last id and get what they missed from the backlog, on whatever process they land."""
        relay = self._relay()
        if not await relay.listening(deliver, timeout=timeout):
            raise BusUnavailable(f"the event bus (Redis at {self.url}) is unavailable: {relay.error or 'no answer'}")

    async def missed(self, topic: str, after: int) -> tuple[list[Event], int]:
        """The events this topic kept with an id above `after`, oldest first, and the last id given out anywhere."""
        relay = self._relay()
        try:
            async with relay.client.pipeline(transaction=True) as pipe:
                kept, last_id = (
                    await pipe.lrange(f"{self.prefix}:backlog:{topic}", 0, -1).get(self._keys(topic)[0]).execute()
                )
        except redis.RedisError as error:
            raise BusUnavailable(f"the event bus (Redis) is unavailable: {error}") from error
        return [event for event in map(_event, kept) if event.id > after], int(last_id or 0)

    async def aclose(self) -> None:
        """Stop this loop's relay and close its connections (tests call it; a server's relay lives as long as the
        process, and the Redis subscription ends with the process)."""
        relay = self._relays.pop(asyncio.get_running_loop(), None)
        if relay is not None:
            await relay.aclose()

    def _relay(self) -> Relay:
        loop = asyncio.get_running_loop()
        if loop not in self._relays:  # async clients belong to the loop that made them
            for dead in [other for other in self._relays if other.is_closed()]:
                del self._relays[dead]
            client = redis.asyncio.Redis.from_url(
                self.url,
                socket_connect_timeout=5,
                client_name=self.client_name,
                # No quiet retries: a subscription that reconnected by itself would have missed what was published
                # in between, with nobody told. The relay ends its streams instead, and their clients resume.
                retry=Retry(NoBackoff(), 0),
                health_check_interval=15,  # a half-open connection to Redis is noticed, not waited on forever
            )
            self._relays[loop] = Relay(client, self.channel)
        return self._relays[loop]


class BaseRelay:
    """What the relays of both buses share (this one's and realtime/pg_fanout.py's): one task per event loop that
    listens for every event and hands it to `deliver`, started on demand and waited for, failing fast."""

    task_name = "realtime-relay"

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.subscribed = asyncio.Event()  # set while it listens: nothing published meanwhile is missed
        self.deliver: Callable[[Event | None], None] = lambda event: None
        self.task: asyncio.Task | None = None
        self.error = ""  # why the last run ended

    async def run(self) -> None:
        """Listen until the bus is lost; set `subscribed` while listening, and deliver(None) when it ends."""
        raise NotImplementedError

    async def listening(self, deliver: Callable[[Event | None], None], *, timeout: float) -> bool:
        """Hand events to `deliver`, start this relay on the running loop unless it runs, and return whether it
        listens within `timeout` seconds. A run that ends first (the bus refused) ends the wait at once: fail fast."""
        self.deliver = deliver
        if self.task is None or self.task.done():
            self.subscribed.clear()
            self.task = asyncio.get_running_loop().create_task(self.run(), name=self.task_name)
        confirmed = asyncio.ensure_future(self.subscribed.wait())
        try:  # the relay confirms, or fails (the bus refused), or neither within `timeout`
            await asyncio.wait({confirmed, self.task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            confirmed.cancel()
        return self.subscribed.is_set()


class Relay(BaseRelay):
    """One Redis subscription per process: every event published anywhere is handed to this process's broker."""

    def __init__(self, client: redis.asyncio.Redis, channel: str) -> None:
        super().__init__(channel)
        self.client = client

    async def run(self) -> None:
        pubsub = self.client.pubsub()
        try:
            await pubsub.subscribe(self.channel)
            async for message in pubsub.listen():
                if message["type"] == "subscribe":
                    self.subscribed.set()  # Redis confirmed: from here on nothing published is missed
                elif message["type"] == "message":
                    self.deliver(_event(message["data"]))
        except redis.RedisError as error:
            self.error = str(error)
            log.warning("the event bus (Redis) was lost (%s): ending this process's streams", error)
        finally:
            self.subscribed.clear()
            self.deliver(None)  # every stream of this process ends; its client resumes from the backlog
            with contextlib.suppress(redis.RedisError):
                await pubsub.aclose()

    async def aclose(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        await self.client.aclose()


def _event(raw: bytes | str) -> Event:
    from realtime.broker import Event  # the broker imports this module

    fields = json.loads(raw)
    return Event(id=fields["id"], topic=fields["topic"], data=fields["data"])
