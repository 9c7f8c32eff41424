"""The teaching middleware of config/middleware_examples.py does what chapter 05 says, on a real server."""

import pytest

from liveproject import LiveServer

DJANGO_AND_BROKEN = [
    "config.middleware.request_id_middleware",
    "django.middleware.security.SecurityMiddleware",
    "{broken}",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]


@pytest.mark.parametrize(
    ("broken", "logged"),
    [
        ("config.middleware_examples.AsyncCallWithoutFlags", "was never awaited"),
        ("config.middleware_examples.AsyncWithoutMark", "'coroutine' object"),
    ],
)
@pytest.mark.live
def test_broken_async_middleware_fails_every_request(broken, logged):
    middleware = [m.format(broken=broken) for m in DJANGO_AND_BROKEN]
    with LiveServer("uvicorn", middleware=middleware) as server:
        assert [server.client.get("/ping/async/").status_code for _ in range(2)] == [500, 500]
        server.wait_for_log(logged)


@pytest.mark.live
def test_reading_request_user_in_async_middleware_breaks_logged_in_requests_and_auser_fixes_it():
    mistake = "config.middleware_examples.user_header_middleware_mistake"
    fixed = "config.middleware_examples.user_header_middleware"
    with LiveServer("uvicorn", extra_middleware=[mistake]) as server:
        assert server.client.get("/ping/async/").headers["X-Username"] == "anonymous"  # no session: no query
        assert server.login("ada").get("/ping/async/").status_code == 500
        server.wait_for_log("SynchronousOnlyOperation")
    with LiveServer("uvicorn", extra_middleware=[fixed]) as server:
        assert server.client.get("/ping/async/").headers["X-Username"] == "anonymous"
        assert server.login("ada").get("/ping/async/").headers["X-Username"] == "ada"


@pytest.mark.live
def test_the_fixed_user_middleware_works_under_wsgi_too():
    with LiveServer("gunicorn-sync", extra_middleware=["config.middleware_examples.user_header_middleware"]) as server:
        assert server.login("grace").get("/ping/sync/").headers["X-Username"] == "grace"


@pytest.mark.parametrize(("name", "status"), [("AsyncCallWithoutFlags", 500), ("AsyncWithoutMark", 200)])
@pytest.mark.live
def test_outermost_the_flags_decide_the_unmarked_middleware_serves_and_the_flagless_one_still_fails(
    settings, name, status
):
    middleware = [f"config.middleware_examples.{name}", *settings.MIDDLEWARE]
    with LiveServer("uvicorn", middleware=middleware) as server:
        assert [server.client.get("/ping/async/").status_code for _ in range(2)] == [status, status]


@pytest.mark.parametrize(
    ("name", "rejected_status", "asgi_errors"),
    [("AsyncWithoutMarkRejecting", 500, 1), ("AsyncRejecting", 403, 0)],
)
@pytest.mark.live
def test_outermost_only_the_marked_middleware_has_its_exception_handled_by_django(
    settings, name, rejected_status, asgi_errors
):
    with LiveServer("uvicorn", middleware=[f"config.middleware_examples.{name}", *settings.MIDDLEWARE]) as server:
        assert server.client.get("/ping/async/").status_code == 200
        rejected = server.client.get("/ping/async/", headers={"X-Reject": "yes"})
    assert rejected.status_code == rejected_status
    assert len(server.log_lines("Exception in ASGI application")) == asgi_errors  # uvicorn caught what Django missed
    if name == "AsyncRejecting":
        assert rejected.json() == {"error": "permission denied"}  # Django's exception handling, the project's JSON


async def test_the_marked_rejecting_middleware_is_a_coroutine_function_and_the_unmarked_one_is_not():
    from asgiref.sync import iscoroutinefunction

    from config.middleware_examples import AsyncRejecting, AsyncWithoutMarkRejecting

    async def inner(request):
        return None

    assert iscoroutinefunction(AsyncRejecting(inner))
    assert not iscoroutinefunction(AsyncWithoutMarkRejecting(inner))
