"""The project's middleware, written once to run natively under both WSGI and ASGI.

Django builds the chain from the inside out, calling each factory with the next layer (`get_response`).
Under ASGI the innermost handler is async; under WSGI it is sync. A middleware that declares both
capabilities looks at `get_response` and returns a coroutine function in the first case and a plain
function in the second, so Django never has to put a thread hop (sync_to_async) in front of it.

Two styles are shown: a function factory decorated with `@sync_and_async_middleware`, and a class that
sets both capability flags and marks its *instance* as a coroutine function with `markcoroutinefunction`
when it runs in async mode (without the mark Django would call it as sync code and get a coroutine back).

`SyncOnlyMiddleware` is the deliberate exception: it is not in the default stack, and the notebooks
switch it on to show how Django adapts around it and what that costs.
"""

import asyncio
import logging
import re
import threading
import time
import uuid

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.db import OperationalError
from django.http import JsonResponse
from django.utils.decorators import sync_and_async_middleware

from config.errors import ApiError, database_busy, error_response

access_log = logging.getLogger("config.access")

REQUEST_ID_HEADER = "X-Request-Id"
# An incoming id is echoed only if it is short and plain: it ends up in logs and headers.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def _request_id_for(request) -> str:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    return incoming if SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


@sync_and_async_middleware
def request_id_middleware(get_response):
    """Give every request an id (`request.request_id`) and return it as `X-Request-Id`."""
    if iscoroutinefunction(get_response):

        async def middleware(request):
            request.request_id = _request_id_for(request)
            response = await get_response(request)
            response[REQUEST_ID_HEADER] = request.request_id
            return response

    else:

        def middleware(request):
            request.request_id = _request_id_for(request)
            response = get_response(request)
            response[REQUEST_ID_HEADER] = request.request_id
            return response

    return middleware


class AccessLogMiddleware:
    """One log line per request: method, path, status, duration and request id."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            # Django decides how to call this instance by asking iscoroutinefunction(instance).
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.async_mode:
            return self.__acall__(request)
        started = time.perf_counter()
        response = self.get_response(request)
        self.log(request, response.status_code, started)
        return response

    async def __acall__(self, request):
        started = time.perf_counter()
        try:
            response = await self.get_response(request)
        except asyncio.CancelledError:
            # Under ASGI a client disconnect cancels the request; nginx calls that status 499.
            self.log(request, "499-client-disconnected", started)
            raise
        self.log(request, response.status_code, started)
        return response

    @staticmethod
    def log(request, status, started):
        access_log.info(
            "%s %s %s %.1fms id=%s",
            request.method,
            request.get_full_path()[:200],
            status,
            (time.perf_counter() - started) * 1000,
            getattr(request, "request_id", "-"),
        )


@sync_and_async_middleware
def timing_middleware(get_response):
    """Report the time spent below this middleware as `X-MW-Duration-Ms`."""
    if iscoroutinefunction(get_response):

        async def middleware(request):
            started = time.perf_counter()
            response = await get_response(request)
            response["X-MW-Duration-Ms"] = f"{(time.perf_counter() - started) * 1000:.2f}"
            return response

    else:

        def middleware(request):
            started = time.perf_counter()
            response = get_response(request)
            response["X-MW-Duration-Ms"] = f"{(time.perf_counter() - started) * 1000:.2f}"
            return response

    return middleware


# The same sync-and-async __init__/__call__ as AccessLogMiddleware, repeated on purpose: chapter 05 shows a
# middleware whole, and this two-mode shape is what it teaches (a shared base class would hide it).
class JsonErrorMiddleware:
    """Answer client errors with JSON: `ApiError` raised by a view, and bodiless 4xx responses; and a database
    that is busy right now (`config.errors.database_busy`: a lock, or no free connection in the pool) with a 503
    and Retry-After, not a 500.

    Django's `require_GET` and a class-based view's `http_method_not_allowed` answer a wrong method
    with an empty 405 (django-ninja with plain text); this adds a message in JSON (and keeps the `Allow`
    header) so every 4xx explains itself.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.async_mode:
            return self.__acall__(request)
        return self.explain(request, self.get_response(request))

    async def __acall__(self, request):
        return self.explain(request, await self.get_response(request))

    def process_exception(self, request, exception):
        # Django runs exception hooks as sync code in both modes (a thread hop under ASGI, errors only).
        if isinstance(exception, ApiError):
            return error_response(exception.status, exception.message)
        if isinstance(exception, OperationalError) and database_busy(exception):
            access_log.warning("%s %s: %s (answered 503)", request.method, request.path, exception)
            busy = error_response(503, "the database is busy right now; try again")
            busy["Retry-After"] = "1"
            return busy
        return None

    @staticmethod
    def explain(request, response):
        if not 400 <= response.status_code < 500 or response.streaming:
            return response
        if response.content and not (response.status_code == 405 and not is_json(response)):
            return response  # a body of its own; a 405 in plain text (django-ninja's) is explained below
        if response.status_code == 405:
            allowed = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
            message = f"method {request.method} is not allowed here; allowed: {', '.join(allowed)}"
            explained = error_response(405, message, allowed=allowed)
            explained["Allow"] = response["Allow"]
            return explained
        return JsonResponse({"error": response.reason_phrase.lower()}, status=response.status_code)


def is_json(response) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


class SyncOnlyMiddleware:
    """Deliberately sync-only (not in the default stack): Django must adapt around it under ASGI.

    It records the thread it ran on in `X-Sync-Only-Thread`, so you can see the hop: under uvicorn it
    runs on a worker thread, not on the event loop's thread.
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["X-Sync-Only-Thread"] = threading.current_thread().name
        return response
