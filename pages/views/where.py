"""Where did this request run (chapters 01 and 09a): server interface, thread and event loop, as JSON; and who
asked (chapter 09c): the scheme and client address Django saw."""

import asyncio
import itertools
import threading
import weakref

from django.http import JsonResponse
from django.views.decorators.http import require_GET

_loop_serials = weakref.WeakKeyDictionary()
_next_serial = itertools.count(1)


def where_it_ran(request, view: str) -> dict:
    """Server interface, thread and event loop of the code that is running right now.

    Event loops get a serial number the first time they are seen (ids of dead objects are reused,
    serials are not), so two requests with the same serial ran on the same loop.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is not None and loop not in _loop_serials:
        _loop_serials[loop] = next(_next_serial)
    thread = threading.current_thread()
    return {
        "view": view,
        "interface": "ASGI" if hasattr(request, "scope") else "WSGI",
        "thread": thread.name,
        "main_thread": thread is threading.main_thread(),
        "event_loop_running": loop is not None,
        "event_loop_serial": _loop_serials.get(loop) if loop is not None else None,
    }


@require_GET
def sync_where(request):
    return JsonResponse(where_it_ran(request, "sync"))


@require_GET
async def async_where(request):
    return JsonResponse(where_it_ran(request, "async"))


@require_GET
async def async_request_origin(request):
    """Who asked, as Django sees it (chapter 09c): behind a proxy, right only when the server or the settings
    trust the proxy's X-Forwarded-* headers."""
    return JsonResponse(
        {"scheme": request.scheme, "secure": request.is_secure(), "client": request.META.get("REMOTE_ADDR")}
    )
