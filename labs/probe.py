"""A slow upstream service for lab checks, run in the checking process, that counts requests in flight.

with ProbeUpstream() as upstream:          # upstream.url: give it to the server as UPSTREAM_URL
    ...                                    # GET <url>?delay=0.2&status=503 answers like /upstream/
    upstream.max_in_flight                 # the most requests it ever had at once (reset() clears it)
    upstream.hang_up_delays.add(0.13)      # a call with delay=0.13 waits 0.13 s, then closes the connection
                                           # without an answer (the caller sees no response at all)
    upstream.drip_delays.add(2.07)         # a call with delay=2.07 gets its status and headers at once, then its
                                           # body one byte every DRIP_INTERVAL s until 2.07 s have passed
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from typing import TYPE_CHECKING

from aiohttp import web
from anyio.from_thread import start_blocking_portal

if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from typing import Any

    from anyio.from_thread import BlockingPortal

DRIP_INTERVAL = 0.2  # seconds between two bytes of a dripped body: far under any per-read timeout a caller sets


class ProbeUpstream:
    def __init__(self) -> None:
        self.url: str | None = None
        self.in_flight = 0
        self.max_in_flight = 0
        self.hang_up_delays: set[float] = set()  # calls with one of these delays get no answer
        self.drip_delays: set[float] = set()  # calls with one of these delays get their body one byte at a time
        self._portal_context: AbstractContextManager[BlockingPortal] | None = None
        self._portal: BlockingPortal | None = None
        self._runner: web.AppRunner | None = None

    def reset(self, *, idle_timeout: float = 3.0) -> None:
        """Wait until no call is in flight (up to idle_timeout), then start counting afresh."""
        deadline = time.monotonic() + idle_timeout
        while self.in_flight and time.monotonic() < deadline:
            time.sleep(0.01)
        self.max_in_flight = self.in_flight

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        delay = min(max(float(request.query.get("delay", 0)), 0.0), 10.0)
        status = int(request.query.get("status", 200))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if delay in self.drip_delays:
                return await self._drip(request, delay, status)
            await asyncio.sleep(delay)
        finally:
            self.in_flight -= 1
        if delay in self.hang_up_delays:
            request.transport.close()  # no status line, no body: the caller sees the connection drop
            return web.Response()
        return web.json_response({"delay": delay, "status": status}, status=status)

    @staticmethod
    async def _drip(request: web.Request, delay: float, status: int) -> web.StreamResponse:
        """The status and headers at once, then the body one byte every DRIP_INTERVAL s (blanks, then the JSON):
        each read a caller makes gets a byte quickly, so only a timeout on the whole call can end it early."""
        started = time.monotonic()
        response = web.StreamResponse(status=status, headers={"Content-Type": "application/json"})
        await response.prepare(request)
        while (left := delay - (time.monotonic() - started)) > 0:
            await asyncio.sleep(min(DRIP_INTERVAL, left))
            await response.write(b" ")
        await response.write(json.dumps({"delay": delay, "status": status}).encode())
        await response.write_eof()
        return response

    async def _start(self) -> str:
        app = web.Application()
        app.router.add_get("/", self._answer)
        # handler_cancellation: a caller that hangs up (a timed-out call) stops counting as in flight
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        # Bind the socket first and hand it to aiohttp: the port is known without reading aiohttp's internals.
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        await web.SockSite(self._runner, listener).start()
        return f"http://127.0.0.1:{listener.getsockname()[1]}/"

    def __enter__(self) -> ProbeUpstream:
        # anyio's blocking portal: an event loop on a thread of its own, which this (sync) thread calls into.
        context = start_blocking_portal()
        portal = context.__enter__()
        try:
            self.url = portal.call(self._start)
        except BaseException:
            context.__exit__(None, None, None)
            raise
        self._portal_context, self._portal = context, portal
        return self

    def __exit__(self, *exc_info: Any) -> None:
        context, portal, runner = self._portal_context, self._portal, self._runner
        if context is None or portal is None:  # never entered
            return
        try:
            if runner is not None:
                portal.call(runner.cleanup)
        finally:
            context.__exit__(*exc_info)  # stops the loop and joins its thread
