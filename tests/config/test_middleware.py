"""Each project middleware in both modes, and the stack as Django assembles it under ASGI and WSGI."""

import asyncio
import json
import logging
import re
import threading

import pytest
from asgiref.sync import iscoroutinefunction
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpResponse, HttpResponseNotAllowed

from config.errors import ApiError
from config.middleware import (
    AccessLogMiddleware,
    JsonErrorMiddleware,
    SyncOnlyMiddleware,
    request_id_middleware,
    timing_middleware,
)

BOTH_MODE_MIDDLEWARE = [request_id_middleware, AccessLogMiddleware, timing_middleware, JsonErrorMiddleware]


def sync_view(request):
    return HttpResponse("ok")


async def async_view(request):
    return HttpResponse("ok")


@pytest.mark.parametrize("factory", BOTH_MODE_MIDDLEWARE)
def test_middleware_declares_both_modes_and_follows_get_response(factory):
    assert factory.sync_capable
    assert factory.async_capable
    assert not iscoroutinefunction(factory(sync_view))  # sync chain: a plain callable
    assert iscoroutinefunction(factory(async_view))  # async chain: awaitable, no thread hop needed


def test_sync_only_middleware_declares_sync_only():
    assert SyncOnlyMiddleware.sync_capable
    assert not SyncOnlyMiddleware.async_capable


@pytest.mark.parametrize("incoming", ["abc-123", "A.b_c-9", "x" * 64])
def test_request_id_echoes_a_safe_id_in_both_modes(rf, incoming):
    response = request_id_middleware(sync_view)(rf.get("/", HTTP_X_REQUEST_ID=incoming))
    assert response["X-Request-Id"] == incoming
    response = asyncio.run(request_id_middleware(async_view)(rf.get("/", HTTP_X_REQUEST_ID=incoming)))
    assert response["X-Request-Id"] == incoming


@pytest.mark.parametrize("incoming", ["", "x" * 65, "has space", "new\nline", "<script>", "-leading-dash"])
def test_request_id_replaces_an_unsafe_id_in_both_modes(rf, incoming):
    for middleware, run in [
        (request_id_middleware(sync_view), lambda r: r),
        (request_id_middleware(async_view), asyncio.run),
    ]:
        request = rf.get("/", HTTP_X_REQUEST_ID=incoming)
        response = run(middleware(request))
        assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-Id"])
        assert request.request_id == response["X-Request-Id"]


def test_timing_header_in_both_modes(rf):
    for response in [
        timing_middleware(sync_view)(rf.get("/")),
        asyncio.run(timing_middleware(async_view)(rf.get("/"))),
    ]:
        assert float(response["X-MW-Duration-Ms"]) >= 0


def test_access_log_writes_one_line_per_request_in_both_modes(rf, caplog):
    caplog.set_level(logging.INFO, logger="config.access")
    request = rf.get("/where/?x=1")
    request.request_id = "rid-1"
    AccessLogMiddleware(sync_view)(request)
    asyncio.run(AccessLogMiddleware(async_view)(request))
    lines = [r.getMessage() for r in caplog.records if r.name == "config.access"]
    assert len(lines) == 2
    for line in lines:
        assert re.fullmatch(r"GET /where/\?x=1 200 \d+\.\dms id=rid-1", line)


def test_access_log_records_a_cancelled_request_and_lets_the_cancellation_through(rf, caplog):
    caplog.set_level(logging.INFO, logger="config.access")

    async def hanging_view(request):
        await asyncio.sleep(10)

    async def cancel_it():
        task = asyncio.ensure_future(AccessLogMiddleware(hanging_view)(rf.get("/long-poll/")))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancel_it())
    assert [r.getMessage().split()[2] for r in caplog.records] == ["499-client-disconnected"]


def test_json_errors_explains_an_empty_405_and_keeps_allow(rf):
    def wrong_method(request):
        return HttpResponseNotAllowed(["GET", "HEAD"])

    async def async_wrong_method(request):
        return HttpResponseNotAllowed(["GET", "HEAD"])

    for response in [
        JsonErrorMiddleware(wrong_method)(rf.put("/x/")),
        asyncio.run(JsonErrorMiddleware(async_wrong_method)(rf.put("/x/"))),
    ]:
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"
        assert json.loads(response.content) == {
            "error": "method PUT is not allowed here; allowed: GET, HEAD",
            "allowed": ["GET", "HEAD"],
        }


def test_json_errors_leaves_responses_with_a_body_alone(rf):
    response = JsonErrorMiddleware(lambda r: HttpResponse("teapot", status=418))(rf.get("/"))
    assert response.content == b"teapot"


def test_json_errors_turns_api_error_into_json(rf):
    response = JsonErrorMiddleware(sync_view).process_exception(rf.get("/"), ApiError(400, "n must be positive"))
    assert (response.status_code, json.loads(response.content)) == (400, {"error": "n must be positive"})
    assert JsonErrorMiddleware(sync_view).process_exception(rf.get("/"), ValueError("not ours")) is None


def test_json_errors_answers_a_busy_database_with_503_and_leaves_a_defect_alone(rf, caplog):
    import sqlite3

    from django.db import OperationalError
    from psycopg_pool import PoolTimeout

    def wrapped(cause):  # as Django raises it: the driver's exception is the cause
        try:
            raise OperationalError(str(cause)) from cause
        except OperationalError as error:
            return error

    errors = JsonErrorMiddleware(sync_view)
    for cause in [
        PoolTimeout("couldn't get a connection after 1.00 sec"),
        sqlite3.OperationalError("database is locked"),
    ]:
        response = errors.process_exception(rf.get("/articles/async/slugs/"), wrapped(cause))
        assert (response.status_code, json.loads(response.content)) == (
            503, {"error": "the database is busy right now; try again"}
        )  # fmt: skip
        assert response["Retry-After"] == "1"
    assert "GET /articles/async/slugs/: couldn't get a connection after 1.00 sec (answered 503)" in caplog.text
    assert errors.process_exception(rf.get("/"), wrapped(sqlite3.OperationalError("no such table: x"))) is None


def test_sync_only_middleware_reports_its_thread(rf):
    response = SyncOnlyMiddleware(sync_view)(rf.get("/"))
    assert response["X-Sync-Only-Thread"] == threading.current_thread().name


def adaptation_lines(caplog, handler_class):
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="django.request"):
        handler_class()
    return [r.getMessage() for r in caplog.records if "adapted" in r.getMessage()]


@pytest.mark.parametrize("handler_class", [ASGIHandler, WSGIHandler])
def test_the_default_stack_needs_no_adaptation(settings, caplog, handler_class):
    settings.DEBUG = True  # Django logs adaptations only with DEBUG on
    assert adaptation_lines(caplog, handler_class) == []


def test_a_sync_only_middleware_is_adapted_under_asgi_only(settings, caplog):
    settings.DEBUG = True
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "config.middleware.SyncOnlyMiddleware"]
    assert adaptation_lines(caplog, ASGIHandler) == [
        "Asynchronous handler adapted for middleware config.middleware.SyncOnlyMiddleware."
    ]
    assert adaptation_lines(caplog, WSGIHandler) == []
