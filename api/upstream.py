"""Calls to a slow upstream service from the API (chapter 12 measures the three layers with them): the sync DRF
view can only wait for one call after another; the async layers wait for all of them at once, as chapter 02's
fan-out does. Every call has a deadline; an upstream that fails or times out is a 502 with a message."""

import asyncio

import httpx

from config.errors import ApiError
from config.params import float_list_param
from pages.views.upstream import upstream_url

TIMEOUT = 5.0
# One TLS context for every client: httpx builds one per client otherwise, loading the CA bundle each time, which
# costs ~25 ms of CPU, more than the rest of the request. A context is safe to share across threads and loops; a
# client is not (chapter 02), so each request still opens and closes its own.
TLS = httpx.create_ssl_context()


def upstream_delays(request) -> tuple[str, list[float]]:
    """The upstream's URL, and the `delays` to ask it for: one call each (at most 5, each 0 to 2 s)."""
    return upstream_url(request), float_list_param(request, "delays", default="0.2", minimum=0, maximum=2, max_items=5)


def call_upstream_in_turn(url: str, delays: list[float]) -> dict:
    try:
        with httpx.Client(timeout=TIMEOUT, verify=TLS) as client:
            statuses = [client.get(url, params={"delay": delay}).status_code for delay in delays]
    except httpx.HTTPError as error:
        raise ApiError(502, f"the upstream failed: {type(error).__name__}") from None
    return {"calls": len(delays), "statuses": statuses}


async def call_upstream_together(url: str, delays: list[float]) -> dict:
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT, verify=TLS) as client:
            responses = await asyncio.gather(*(client.get(url, params={"delay": delay}) for delay in delays))
    except httpx.HTTPError as error:
        raise ApiError(502, f"the upstream failed: {type(error).__name__}") from None
    return {"calls": len(delays), "statuses": [response.status_code for response in responses]}
