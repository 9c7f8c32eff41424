"""Server-sent events from the client's side, for chapter 11 and the tests: streams read by tasks as their events
arrive, and a stream held on every worker process of a server.

    async with streams_on_every_worker(server, "news", workers=2) as streams:
        ...publish...
        events = [await stream.next_event(within=2) for stream in streams]

Every stream is closed, and every reading task ended, when the block ends, however it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from liveproject.server import LiveServer

TIMEOUT = 5.0  # seconds for connecting and for any one answer


@dataclass
class Stream:
    """One open stream: its blocks (dicts of their fields; a comment is {"": text}) arrive on `blocks`, each with the
    perf_counter() time it arrived."""

    blocks: asyncio.Queue[tuple[float, dict[str, str]]] = field(default_factory=asyncio.Queue)
    status: int | None = None  # the answer's status, once it has come
    content_type: str = ""  # its Content-Type
    lines: int = 0  # every line read, blank ones included: a stream that floods its client shows here

    async def read(self, client: httpx.AsyncClient, path: str, headers: dict[str, str] | None = None) -> None:
        async with client.stream("GET", path, headers=headers) as response:
            self.status = response.status_code
            self.content_type = response.headers.get("content-type", "")
            block: dict[str, str] = {}
            async for line in response.aiter_lines():
                self.lines += 1
                if line:
                    name, _, value = line.partition(":")
                    block[name] = value.strip()
                elif block:
                    await self.blocks.put((time.perf_counter(), block))
                    block = {}

    async def next_block(self, within: float = TIMEOUT) -> dict[str, str]:
        return (await asyncio.wait_for(self.blocks.get(), within))[1]

    async def next_event(self, within: float) -> tuple[float, dict[str, str]] | None:
        """(arrival time, fields) of the next event, skipping the retry line and heartbeats; None if none comes
        within `within` seconds."""
        try:
            async with asyncio.timeout(within):
                while True:
                    arrived, block = await self.blocks.get()
                    if "data" in block:
                        return arrived, block
        except TimeoutError:
            return None


async def listeners_per_worker(
    server: LiveServer, topic: str, *, polls: int = 12, workers: int = 1, max_polls: int = 60
) -> dict[int, int]:
    """{worker's process id: listeners to `topic` there}, from /realtime/stats/ asked on new connections (a kept-alive
    connection would stay with one worker): `polls` times, and more (up to `max_polls`) until `workers` processes
    have answered."""
    seen: dict[int, int] = {}
    for poll in range(max_polls):
        if poll >= polls and len(seen) >= workers:
            break
        async with httpx.AsyncClient(base_url=server.url, timeout=TIMEOUT) as client:
            answer = (await client.get("/realtime/stats/")).json()
        seen[answer["worker"]] = answer["subscribers"].get(topic, 0)
    return seen


@contextlib.asynccontextmanager
async def streams_on_every_worker(
    server: LiveServer,
    topic: str,
    *,
    workers: int,
    batch: int = 4,
    max_streams: int = 64,
    path: str | None = None,
    headers: dict[str, str] | None = None,
) -> AsyncIterator[list[Stream]]:
    """Open streams on /realtime/<topic>/events/ (or `path`: a stream that listens to `topic` through the project's
    broker, such as lab 08's feed) until each of the server's `workers` processes holds at least one, subscribed when
    the block starts. Which worker takes a new connection is up to the operating system, and one worker can win most
    of them (37 of 40 was seen here): streams are opened `batch` at a time, which spreads them better than one by
    one, up to `max_streams`. Every stream must start with a `retry:` line, sent once it listens."""
    # No read timeout: a stream may rightly be silent until its next heartbeat (15 s by default); next_block() and
    # next_event() bound each wait instead.
    timeout = httpx.Timeout(TIMEOUT, read=None)
    limits = httpx.Limits(max_connections=max_streams + 8)
    async with (
        httpx.AsyncClient(base_url=server.url, timeout=timeout, limits=limits) as client,
        asyncio.TaskGroup() as readers,
    ):
        streams: list[Stream] = []
        path = path or f"/realtime/{topic}/events/"
        tasks = []
        try:
            per_worker: dict[int, int] = {}
            while len([count for count in per_worker.values() if count]) < workers:
                if len(streams) >= max_streams:
                    raise RuntimeError(f"{max_streams} streams and not every worker holds one: {per_worker}")
                opened = [Stream() for _ in range(batch)]
                for stream in opened:
                    streams.append(stream)
                    tasks.append(readers.create_task(stream.read(client, path, headers)))
                for stream in opened:
                    if "retry" not in await stream.next_block():  # subscribed from here on
                        raise RuntimeError("the stream did not start with a retry line")
                per_worker = await listeners_per_worker(server, topic, workers=workers)
            yield streams
        finally:
            for task in tasks:  # the streams never end by themselves: the task group waits for its tasks
                task.cancel()
