"""The sync island under real concurrency: many simultaneous publishes, exactly one transition."""

import pytest

from liveproject import LiveServer, burst


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
    assert page.status_code == 200 and page.text.count("<li>") == 10
