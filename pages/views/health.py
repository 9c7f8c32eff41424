"""Health probes (chapter 09c): is the process alive, and is it ready for traffic?

A process manager or an orchestrator asks both, every few seconds, and acts on the answers differently:

    GET /health/live/   liveness: 200 whenever the process answers. It touches nothing else, so a slow or failed
                        database never gets a healthy process restarted.
    GET /health/ready/  readiness: 200 when the database answers within READY_DEADLINE seconds, 503 with the reason
                        otherwise. A process that is not ready is taken out of the load balancer, not restarted.
"""

import asyncio

from asgiref.sync import sync_to_async
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

READY_DEADLINE = 0.5  # seconds: shorter than a probe's own timeout (often 1 s), so it hears "not ready", not silence


def database_answers() -> None:
    """SELECT 1 on a connection of its own, closed at the end (with the pool: given back to it).

    It runs on a shared worker thread (thread_sensitive=False below), not on the request's own sync thread: a
    deadline stops the wait for it, not the thread, and a request's later sync work (its middleware's hooks, its
    signals) queues behind its own thread. No request's cleanup visits a shared thread, hence the close().
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()


@require_GET
async def async_liveness(request):
    return JsonResponse({"status": "alive"})


@require_GET
async def async_readiness(request):
    try:
        async with asyncio.timeout(READY_DEADLINE):
            await sync_to_async(database_answers, thread_sensitive=False)()
    except TimeoutError:
        reason = f"the database did not answer within {READY_DEADLINE} s"
        return JsonResponse({"status": "not ready", "database": reason}, status=503)
    except DatabaseError as error:
        reason = f"the database refused: {type(error).__name__}"
        return JsonResponse({"status": "not ready", "database": reason}, status=503)
    return JsonResponse({"status": "ready", "database": "answered"})
