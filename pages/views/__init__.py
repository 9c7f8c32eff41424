"""The endpoints the chapters run against, one module per topic.

Each view is short enough to show whole in a notebook; pages/urls.py routes them all through this package
(`views.async_hello`), and the labs import the two helpers they share with the project from it (`slow_io`,
`upstream_url`).

    demo.py        the first endpoints: /async-hello/, /async-demo/..., /async-status/, and slow_io()
    twins.py       sync and async twins: /ping/, /wait/, /compute/ (sync_wait / async_wait, ...)
    where.py       where a request ran: interface, thread, event loop (/where/); who asked (/where/client/)
    database.py    which connection a request used, and slow queries in sequence or gathered (/db/...)
    upstream.py    a slow upstream, a fan-out over it, an HTTP client's lifetime, fire and forget
    blocking.py    a blocking call inside async def, and its fix (/blocking/...)
    long_lived.py  a long poll, waiting for sync work, server-sent event streams
    health.py      liveness and readiness probes (/health/live/, /health/ready/)
"""

from pages.views.blocking import async_blocking_fixed, async_blocking_mistake
from pages.views.database import async_database_connection, async_gather_queries
from pages.views.demo import AsyncStatusView, async_concurrency_demo, async_hello, async_sequential_demo, slow_io
from pages.views.health import async_liveness, async_readiness
from pages.views.long_lived import async_event_stream, async_long_poll, async_wait_for_sync_work, sync_event_stream
from pages.views.twins import async_compute, async_ping, async_wait, sync_compute, sync_ping, sync_wait
from pages.views.upstream import (
    async_fan_out,
    async_fire_and_forget,
    async_upstream_global_client,
    async_upstream_request_client,
    slow_upstream,
    upstream_url,
)
from pages.views.where import async_request_origin, async_where, sync_where

__all__ = [
    "AsyncStatusView",
    "async_blocking_fixed",
    "async_blocking_mistake",
    "async_compute",
    "async_concurrency_demo",
    "async_database_connection",
    "async_event_stream",
    "async_fan_out",
    "async_fire_and_forget",
    "async_gather_queries",
    "async_hello",
    "async_liveness",
    "async_long_poll",
    "async_ping",
    "async_readiness",
    "async_request_origin",
    "async_sequential_demo",
    "async_upstream_global_client",
    "async_upstream_request_client",
    "async_wait",
    "async_wait_for_sync_work",
    "async_where",
    "slow_io",
    "slow_upstream",
    "sync_compute",
    "sync_event_stream",
    "sync_ping",
    "sync_wait",
    "sync_where",
    "upstream_url",
]
