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
def test_broken_async_middleware_fails_every_request(broken, logged):
    middleware = [m.format(broken=broken) for m in DJANGO_AND_BROKEN]
    with LiveServer("uvicorn", middleware=middleware) as server:
        assert [server.client.get("/ping/async/").status_code for _ in range(2)] == [500, 500]
        server.wait_for_log(logged)


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


def test_the_fixed_user_middleware_works_under_wsgi_too():
    with LiveServer("gunicorn-sync", extra_middleware=["config.middleware_examples.user_header_middleware"]) as server:
        assert server.login("grace").get("/ping/sync/").headers["X-Username"] == "grace"
