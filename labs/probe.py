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
import threading
import time

from aiohttp import web

DRIP_INTERVAL = 0.2  # seconds between two bytes of a dripped body: far under any per-read timeout a caller sets


class ProbeUpstream:
    def __init__(self):
        self.url: str | None = None
        self.in_flight = 0
        self.max_in_flight = 0
        self.hang_up_delays: set[float] = set()  # calls with one of these delays get no answer
        self.drip_delays: set[float] = set()  # calls with one of these delays get their body one byte at a time
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
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

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_get("/", self._answer)
        # handler_cancellation: a caller that hangs up (a timed-out call) stops counting as in flight
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        self._loop.run_until_complete(self._runner.setup())
        # Bind the socket first and hand it to aiohttp: the port is known without reading aiohttp's internals.
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        self._loop.run_until_complete(web.SockSite(self._runner, listener).start())
        self.url = f"http://127.0.0.1:{port}/"
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    def __enter__(self) -> ProbeUpstream:
        self._thread = threading.Thread(target=self._serve, name="probe-upstream", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the probe upstream did not start")
        return self

    def __exit__(self, *exc_info) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
