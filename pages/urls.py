"""URLs of the demo endpoints, grouped the way the chapters use them."""

from django.urls import path

from pages import views

urlpatterns = [
    # Seed endpoints (URLs and JSON shapes kept as the course has always shown them)
    path("async-hello/", views.async_hello, name="async_hello"),
    path("async-demo/concurrent/", views.async_concurrency_demo, name="async_concurrency_demo"),
    path("async-demo/sequential/", views.async_sequential_demo, name="async_sequential_demo"),
    path("async-status/", views.AsyncStatusView.as_view(), name="async_status"),
    # Sync/async twins
    path("ping/sync/", views.sync_ping, name="sync_ping"),
    path("ping/async/", views.async_ping, name="async_ping"),
    path("wait/sync/", views.sync_wait, name="sync_wait"),
    path("wait/async/", views.async_wait, name="async_wait"),
    path("compute/sync/", views.sync_compute, name="sync_compute"),
    path("compute/async/", views.async_compute, name="async_compute"),
    path("where/sync/", views.sync_where, name="sync_where"),
    path("where/async/", views.async_where, name="async_where"),
    path("where/client/", views.async_request_origin, name="async_request_origin"),
    path("db/connection/", views.async_database_connection, name="async_database_connection"),
    path("db/gather/", views.async_gather_queries, name="async_gather_queries"),
    # Calling other services
    path("upstream/", views.slow_upstream, name="slow_upstream"),
    path("fan-out/", views.async_fan_out, name="async_fan_out"),
    path("clients/global/", views.async_upstream_global_client, name="async_upstream_global_client"),
    path("clients/per-request/", views.async_upstream_request_client, name="async_upstream_request_client"),
    path("background/fire-and-forget/", views.async_fire_and_forget, name="async_fire_and_forget"),
    # The blocking call inside async def, and its fix
    path("blocking/mistake/", views.async_blocking_mistake, name="async_blocking_mistake"),
    path("blocking/fixed/", views.async_blocking_fixed, name="async_blocking_fixed"),
    # Long-lived requests
    path("long-poll/", views.async_long_poll, name="async_long_poll"),
    path("sync-work/", views.async_wait_for_sync_work, name="async_wait_for_sync_work"),
    path("stream/events/", views.async_event_stream, name="async_event_stream"),
    path("stream/events/sync/", views.sync_event_stream, name="sync_event_stream"),
    # Probes a process manager or orchestrator sends
    path("health/live/", views.async_liveness, name="async_liveness"),
    path("health/ready/", views.async_readiness, name="async_readiness"),
]
