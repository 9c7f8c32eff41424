"""Exercise checks for chapters/05-middleware.ipynb (how they work: liveproject.exercises)."""

from __future__ import annotations

from liveproject.exercises.common import judge


def check_05_audit(rows: object) -> None:
    """Exercise 05.1: for settings.MIDDLEWARE, a list of (dotted path, runs natively under ASGI) in stack order.

    "Natively" means no sync_to_async hop on an ordinary request: it is async-capable and has none of the hooks
    Django runs on every request (process_request, process_view, process_response). A process_exception hook
    only runs when a view raises, so it costs nothing on a request that succeeds.
    """
    from django.conf import settings
    from django.utils.module_loading import import_string

    hooks = ("process_request", "process_view", "process_response")
    truth = []
    for path in settings.MIDDLEWARE:
        middleware = import_string(path)
        async_capable = getattr(middleware, "async_capable", False)
        truth.append((path, bool(async_capable) and not any(hasattr(middleware, hook) for hook in hooks)))
    answer = [tuple(row) for row in rows] if isinstance(rows, list | tuple) else rows
    judge(
        "Exercise 05.1",
        answer == truth,
        "Import each path in settings.MIDDLEWARE; a middleware runs natively when async_capable is True and it "
        "has no process_request, process_view or process_response (each runs through sync_to_async).",
    )


async def check_05_hops(counts: object) -> None:
    """Exercise 05.2: {"default": n, "native": n, "none": n}, the crossings of one GET /ping/async/ through the
    default stack, the project's own config.* middleware only, and no middleware. Use the check with await.

    The check serves the three requests itself with count_thread_hops and compares your numbers with its own.
    """
    from django.conf import settings

    from liveproject.kernel import count_thread_hops

    native = [path for path in settings.MIDDLEWARE if path.startswith("config.")]
    truth = {}
    for name, middleware in [("default", None), ("native", native), ("none", [])]:
        truth[name] = len((await count_thread_hops("/ping/async/", middleware=middleware))[1])
    judge(
        "Exercise 05.2",
        isinstance(counts, dict) and counts == truth,
        "Call await count_thread_hops('/ping/async/', middleware=...) with None (the default stack), the "
        "project's own config.* middleware (NATIVE), and [], and count the crossings each returns.",
    )
