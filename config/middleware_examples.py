"""Middleware that chapter 05 switches on to show mistakes and their fixes. None of it is in the default stack.

* AsyncCallWithoutFlags: an async __call__ but no capability flags. Django takes it for sync-only.
* AsyncWithoutMark: says it is async-capable, but its instance is not marked as a coroutine function.
* AsyncWithoutMarkRejecting / AsyncRejecting: an access check raising PermissionDenied, unmarked / marked, to show
  that outermost an unmarked middleware's exceptions escape Django's exception handling.
* user_header_middleware_mistake: "third-party style": works under WSGI, reads request.user in async code.
* user_header_middleware: the same job done right, with `await request.auser()`.
* middleware_without_flags: a plain function middleware written before async existed, with no capability flags:
  Django's defaults make it sync-only (lab 04's checks add it to the stack they audit).

The correct pattern for a class is config/middleware.py: AccessLogMiddleware.
"""

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.core.exceptions import PermissionDenied
from django.utils.decorators import sync_and_async_middleware


class AsyncCallWithoutFlags:
    """MISTAKE: no async_capable flag, so Django calls it as sync code and gets a coroutine back."""

    def __init__(self, get_response):
        self.get_response = get_response

    async def __call__(self, request):
        return await self.get_response(request)


class AsyncWithoutMark:
    """MISTAKE: async-only by its flags, but without markcoroutinefunction(self) Django cannot tell that
    calling the instance returns a coroutine, and a MiddlewareMixin above it treats it as sync."""

    sync_capable = False
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response

    async def __call__(self, request):
        return await self.get_response(request)


@sync_and_async_middleware
def user_header_middleware_mistake(get_response):
    """MISTAKE (the pattern behind several real third-party bugs): request.user is a lazy database lookup,
    and reading it in the async branch runs that lookup on the event loop."""
    if iscoroutinefunction(get_response):

        async def middleware(request):
            response = await get_response(request)
            response["X-Username"] = request.user.get_username() or "anonymous"
            return response

    else:

        def middleware(request):
            response = get_response(request)
            response["X-Username"] = request.user.get_username() or "anonymous"
            return response

    return middleware


# The fix of user_header_middleware_mistake, its twin on purpose: chapter 05 shows the two side by side.
@sync_and_async_middleware
def user_header_middleware(get_response):
    """The fix: in the async branch, ask for the user with `await request.auser()`."""
    if iscoroutinefunction(get_response):

        async def middleware(request):
            response = await get_response(request)
            user = await request.auser()
            response["X-Username"] = user.get_username() or "anonymous"
            return response

    else:

        def middleware(request):
            response = get_response(request)
            response["X-Username"] = request.user.get_username() or "anonymous"
            return response

    return middleware


class AsyncWithoutMarkRejecting(AsyncWithoutMark):
    """AsyncWithoutMark that turns away requests carrying an `X-Reject` header by raising PermissionDenied, as an
    access check does. Placed outermost it serves ordinary requests, but the exception it raises never reaches
    Django's exception handling (chapter 05)."""

    async def __call__(self, request):
        if "X-Reject" in request.headers:
            raise PermissionDenied("rejected by AsyncWithoutMarkRejecting")
        return await self.get_response(request)


class AsyncRejecting(AsyncWithoutMarkRejecting):
    """The fix: the same async-only middleware, with its instance marked as a coroutine function (as
    config/middleware.py: AccessLogMiddleware marks itself in async mode), so Django awaits it inside its
    exception handling, and the PermissionDenied it raises becomes a 403."""

    def __init__(self, get_response):
        super().__init__(get_response)
        markcoroutinefunction(self)


def middleware_without_flags(get_response):
    """A middleware as written before async Django: a plain function that sets neither sync_capable nor
    async_capable, so Django's defaults apply (sync_capable True, async_capable False) and it runs sync-only."""

    def middleware(request):
        return get_response(request)

    return middleware
