"""The sync island under real concurrency: many simultaneous publishes, exactly one transition."""

import pytest

from liveproject import LiveServer, burst, databases

pytestmark = pytest.mark.live  # every test here starts a server or another process


@pytest.mark.parametrize("kind", ["uvicorn", "gunicorn-gthread"])
def test_fifty_concurrent_publishes_make_exactly_one_transition(kind):
    with LiveServer(kind, workers=2) as server:
        headers = server.login_headers("editor")
        result = burst(server, "/articles/async/article-45/publish/", 50, method="POST", headers=headers)
        detail = server.client.get("/articles/async/article-45/").json()
    assert result.statuses == {200: 1, 409: 49}
    assert (detail["status"], detail["transitions"]) == ("published", 1)


def test_anonymous_and_non_staff_publishes_are_refused_on_a_live_server(uvicorn_server):
    anonymous = uvicorn_server.client.post("/articles/async/article-44/publish/")
    assert anonymous.status_code == 403  # no session and no CSRF token: CSRF refuses it first
    with_token = uvicorn_server.login_headers("reader")
    refused = uvicorn_server.client.post("/articles/async/article-44/publish/", headers=with_token)
    assert (refused.status_code, refused.json()) == (403, {"error": "only staff can publish"})
    assert uvicorn_server.client.get("/articles/async/article-44/").json()["transitions"] == 0


def test_djangos_login_required_mixin_breaks_an_async_view_both_ways(uvicorn_server):
    # Anonymous: its sync dispatch returns a redirect where Django awaits a coroutine.
    assert uvicorn_server.client.get("/articles/drafts/with-django-mixin/").status_code == 500
    uvicorn_server.wait_for_log("TypeError: object HttpResponseRedirect can't be used in 'await' expression")
    # Logged in: reading request.user loads the session from the database inside async code.
    assert uvicorn_server.login("ada").get("/articles/drafts/with-django-mixin/").status_code == 500
    uvicorn_server.wait_for_log("SynchronousOnlyOperation: You cannot call this from an async context")
    # The async-aware mixin in config/mixins.py protects the same view.
    assert uvicorn_server.client.get("/articles/drafts/").status_code == 401
    assert uvicorn_server.login("ada").get("/articles/drafts/").json()["count"] == 6


def test_a_lazy_queryset_rendered_in_async_code_fails_and_a_template_response_works(uvicorn_server):
    assert uvicorn_server.client.get("/articles/titles/render/").status_code == 500
    uvicorn_server.wait_for_log("SynchronousOnlyOperation")
    page = uvicorn_server.client.get("/articles/titles/template-response/")
    assert page.status_code == 200
    assert page.text.count("<li>") == 10


def test_without_the_row_lock_concurrent_publishes_collide_on_postgresql_only():
    # The same flow minus select_for_update. PostgreSQL (READ COMMITTED) lets the transactions read the same
    # draft; SQLite's BEGIN IMMEDIATE (settings.py) serializes whole write transactions, so it cannot race.
    with LiveServer("uvicorn") as server:
        headers = server.login_headers("editor")
        # The locked race first: while its requests wait on the row lock, PostgreSQL's pool opens its connections.
        # On a cold pool (min_size=1) the unlocked requests could take turns on one connection and not collide.
        locked = burst(
            server, "/articles/async/article-47/publish/?work_seconds=0.2", 50, method="POST", headers=headers
        )
        unlocked = burst(
            server,
            "/articles/async/article-46/publish/without-lock/?work_seconds=0.2",
            50,
            method="POST",
            headers=headers,
        )
        transitions = {
            slug: server.client.get(f"/articles/async/article-{slug}/").json()["transitions"] for slug in ("46", "47")
        }
        vendor = "postgresql" if server.database_url.startswith("postgres") else "sqlite"
    assert locked.statuses == {200: 1, 409: 49}
    assert transitions["47"] == 1
    if vendor == "postgresql":
        assert 2 <= unlocked.statuses[200] <= 8, unlocked.statuses
        assert transitions["46"] == unlocked.statuses[200], unlocked.statuses
    else:
        assert unlocked.statuses == {200: 1, 409: 49}
        assert transitions["46"] == 1


def test_publish_opts_out_of_atomic_requests_and_still_works():
    with LiveServer("uvicorn", atomic_requests=True) as server:
        assert server.client.get("/ping/async/").status_code == 500  # every other async view fails
        answer = server.client.post("/articles/async/article-48/publish/", headers=server.login_headers("editor"))
        assert (answer.status_code, answer.json()["status"]) == (200, "published")


def test_publish_rejects_a_bad_work_seconds(uvicorn_server):
    headers = uvicorn_server.login_headers("editor")
    answer = uvicorn_server.client.post("/articles/async/article-49/publish/?work_seconds=5", headers=headers)
    assert answer.status_code == 400
    assert "work_seconds" in answer.json()["error"]
    assert uvicorn_server.client.get("/articles/async/article-49/").json()["status"] == "draft"


def test_sqlite_deferred_transactions_collide_as_database_is_locked_and_immediate_ones_queue():
    # Chapter 06's SQLite race, on either track: DEFERRED reads, then fails to write ("database is locked",
    # answered 503); IMMEDIATE (the project's setting) takes the write lock first, so the others wait and see 409.
    outcomes = {}
    for mode in ("DEFERRED", "IMMEDIATE"):
        options = {**databases.sqlite_options(), "transaction_mode": mode}
        with LiveServer("uvicorn", database_backend="sqlite", database={"OPTIONS": options}) as server:
            path = "/articles/async/article-43/publish/?work_seconds=0.2"
            result = burst(server, path, 30, method="POST", headers=server.login_headers("editor"))
            transitions = server.client.get("/articles/async/article-43/").json()["transitions"]
            outcomes[mode] = result.statuses, transitions, len(server.log_lines("database is locked (answered 503)"))
    deferred, deferred_transitions, deferred_logged = outcomes["DEFERRED"]
    assert deferred[200] == 1, deferred
    assert deferred[503] >= 1, deferred
    assert set(deferred) <= {200, 409, 503}, deferred
    assert deferred_transitions == 1
    assert deferred_logged == deferred[503]
    assert outcomes["IMMEDIATE"] == ({200: 1, 409: 29}, 1, 0)
