"""Async article views through AsyncClient. transaction=True: the async ORM and sync_to_async run on
other threads (other connections) than the test, so the test's data must really be committed."""

import json

import pytest
from django.test import AsyncClient

from articles.models import Article, ArticleTransition
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


async def logged_in(username: str) -> AsyncClient:
    client = AsyncClient()
    assert await client.alogin(username=username, password=TEST_PASSWORD)
    return client


async def test_slugs_keep_the_seed_shape(seeded):
    data = (await AsyncClient().get("/articles/async/slugs/")).json()
    assert set(data) == {"count", "slugs"}
    assert data["count"] == 40 == len(data["slugs"])
    assert data["slugs"][:3] == ["article-40", "article-39", "article-38"]  # newest first


async def test_slugs_stop_at_fifty(editor):
    assert await Article.objects.filter(status="draft").aupdate(status="published") == 20
    assert (await AsyncClient().get("/articles/async/slugs/")).json()["count"] == 50


async def test_detail(seeded):
    data = (await AsyncClient().get("/articles/async/article-07/")).json()
    assert data == {
        "slug": "article-07", "title": "Cancellation when clients leave (07)", "status": "published",
        "published_at": "2025-01-13T09:00:00+00:00", "author": "ada",
        "body": "Article 7 of the course's sample data: cancellation when clients leave.", "transitions": 0,
    }  # fmt: skip


async def test_detail_of_unknown_slug_is_json_404(seeded):
    response = await AsyncClient().get("/articles/async/no-such-article/")
    assert (response.status_code, response.json()) == (404, {"error": "no article with slug 'no-such-article'"})


async def test_staff_publishes_a_draft_once_then_gets_409(seeded):
    client = await logged_in("editor")
    response = await client.post("/articles/async/article-41/publish/")
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    again = await client.post("/articles/async/article-41/publish/")
    assert (again.status_code, again.json()) == (409, {"error": "article 'article-41' is already published"})
    assert await ArticleTransition.objects.filter(article__slug="article-41").acount() == 1
    assert (await client.get("/articles/async/article-41/")).json()["transitions"] == 1


# Who publishes which article, and the refusal the project answers: the API layers answer the same
# (tests/api/test_articles_api.py).
PUBLISH_REFUSALS = [
    (None, "article-41", 401, "log in to publish (POST /auth/login/)"),
    ("reader", "article-41", 403, "only staff can publish"),
    ("editor", "no-such-article", 404, "no article with slug 'no-such-article'"),
    ("editor", "article-01", 409, "article 'article-01' is already published"),
]


@pytest.mark.parametrize(("who", "slug", "status", "message"), PUBLISH_REFUSALS)
async def test_publish_refusals_are_clear_4xx(seeded, who, slug, status, message):
    client = await logged_in(who) if who else AsyncClient()
    response = await client.post(f"/articles/async/{slug}/publish/")
    assert (response.status_code, response.json()) == (status, {"error": message})
    assert await ArticleTransition.objects.acount() == 0


async def test_publish_rejects_get_with_json_405(seeded):
    response = await AsyncClient().get("/articles/async/article-41/publish/")
    assert (response.status_code, response.json()["allowed"]) == (405, ["POST"])


async def test_article_list_pages_through_published_articles(seeded):
    response = await AsyncClient().get("/articles/async/")
    assert response["Cache-Control"] == "public, max-age=30"
    first = response.json()
    assert (first["page"], first["count"], len(first["articles"])) == (1, 40, 10)
    assert first["articles"][0]["slug"] == "article-40"
    fourth = (await AsyncClient().get("/articles/async/", {"page": 4})).json()
    assert [a["slug"] for a in fourth["articles"]][-1] == "article-01"
    assert (await AsyncClient().get("/articles/async/", {"page": 5})).json()["articles"] == []


@pytest.mark.parametrize("page", ["0", "x", "-1", "10001"])
async def test_article_list_rejects_bad_pages(seeded, page):
    response = await AsyncClient().get("/articles/async/", {"page": page})
    assert response.status_code == 400
    assert "page must be" in response.json()["error"]


async def test_article_page_renders_the_newest_ten(seeded):
    response = await AsyncClient().get("/articles/page/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert html.count("<li>") == 10
    assert "Deploying under uvicorn (40)</a>, by ada" in html


async def test_drafts_require_login_and_show_what_the_user_may_see(seeded):
    anonymous = await AsyncClient().get("/articles/drafts/")
    assert (anonymous.status_code, anonymous.json()) == (401, {"error": "log in first (POST /auth/login/)"})
    assert (await (await logged_in("editor")).get("/articles/drafts/")).json()["count"] == 20
    own = (await (await logged_in("ada")).get("/articles/drafts/")).json()
    assert own == {
        "count": 6,
        "slugs": ["article-43", "article-46", "article-49", "article-52", "article-55", "article-58"],
    }


async def test_drafts_reject_post_with_json_405(seeded):
    response = await (await logged_in("editor")).post("/articles/drafts/")
    assert (response.status_code, response.json()["allowed"]) == (405, ["GET", "HEAD", "OPTIONS"])


def _service_failing_with(cause):
    """A stand-in for the publish service whose transaction fails inside the database with `cause`."""
    from django.db import OperationalError

    def service(*, slug, published_by, work_seconds):
        raise OperationalError(str(cause)) from cause

    return service


async def _publish_with(service, editor):
    from django.test import AsyncRequestFactory

    from articles.views import async_article_publish

    request = AsyncRequestFactory().post("/articles/async/article-41/publish/")

    async def auser():
        return editor

    request.auser = auser
    return await async_article_publish(request, "article-41", service=service)


async def test_a_busy_database_answers_503_with_a_message_and_retry_after(editor, caplog):
    import sqlite3

    response = await _publish_with(_service_failing_with(sqlite3.OperationalError("database is locked")), editor)
    assert response.status_code == 503
    assert json.loads(response.content) == {"error": "the database is busy; nothing was published, try again"}
    assert response["Retry-After"] == "1"
    assert "publish article-41: database is locked (answered 503)" in caplog.text


async def test_a_database_defect_is_not_disguised_as_busy(editor):
    import sqlite3

    from django.db import OperationalError

    with pytest.raises(OperationalError, match="no such table"):
        await _publish_with(_service_failing_with(sqlite3.OperationalError("no such table: x")), editor)


async def _events(response) -> list[str]:
    """The server-sent events and comments of a streaming response, one string each."""
    body = b"".join([chunk async for chunk in response.streaming_content]).decode()
    return [block for block in body.split("\n\n") if block]


@pytest.mark.parametrize("path", ["/articles/async/article-41/watch/", "/articles/async/article-41/watch/holding/"])
async def test_watch_streams_the_status_then_a_look_each_interval(seeded, path):
    response = await AsyncClient().get(path, {"seconds": "0.2", "interval": "0.05"})
    assert (response.status_code, response["Content-Type"]) == (200, "text/event-stream")
    events = await _events(response)
    assert events[0] == 'event: status\ndata: {"slug": "article-41", "status": "draft"}'
    assert events[1:] == [": unchanged"] * 4


async def test_watch_sends_an_event_when_the_status_changes(seeded):
    response = await AsyncClient().get("/articles/async/article-41/watch/", {"seconds": "1", "interval": "0.05"})
    stream = aiter(response.streaming_content)
    assert b'"status": "draft"' in await anext(stream)
    await Article.objects.filter(slug="article-41").aupdate(status="published")
    rest = b"".join([chunk async for chunk in stream]).decode()
    assert rest.count('event: status\ndata: {"slug": "article-41", "status": "published"}') == 1


async def test_watch_ends_with_an_event_when_the_article_is_deleted(seeded):
    response = await AsyncClient().get("/articles/async/article-41/watch/", {"seconds": "1", "interval": "0.05"})
    stream = aiter(response.streaming_content)
    assert b'"status": "draft"' in await anext(stream)
    await ArticleTransition.objects.filter(article__slug="article-41").adelete()
    await Article.objects.filter(slug="article-41").adelete()
    rest = b"".join([chunk async for chunk in stream]).decode()
    assert rest.endswith('event: deleted\ndata: {"slug": "article-41"}\n\n')


@pytest.mark.parametrize("variant", ["watch", "watch/holding"])
async def test_a_database_error_during_a_look_ends_the_stream_with_an_error_event(seeded, monkeypatch, caplog, variant):
    from django.db import OperationalError
    from django.db.models.query import QuerySet

    first_look = QuerySet.afirst
    calls = []

    async def failing_after_the_first(queryset):
        calls.append(queryset)
        if len(calls) > 1:
            raise OperationalError("the database went away")
        return await first_look(queryset)

    monkeypatch.setattr(QuerySet, "afirst", failing_after_the_first)
    response = await AsyncClient().get(f"/articles/async/article-41/{variant}/", {"seconds": "1", "interval": "0.05"})
    events = await _events(response)
    assert events[-1] == 'event: error\ndata: {"error": "the database is busy right now; reconnect later"}'
    assert len(events) == 2  # the status, then the error: the stream ended at the failed look
    assert "watch article-41: the database went away (stream ended)" in caplog.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"seconds": "-1"}, "seconds"),
        ({"interval": "0"}, "interval"),
        ({"interval": "soon"}, "interval"),
    ],
)
async def test_watch_rejects_bad_parameters_with_a_clear_400(seeded, query, message):
    response = await AsyncClient().get("/articles/async/article-41/watch/", query)
    assert response.status_code == 400
    assert message in response.json()["error"]


async def test_watch_of_an_unknown_article_is_json_404(seeded):
    response = await AsyncClient().get("/articles/async/no-such-article/watch/")
    assert (response.status_code, response.json()) == (404, {"error": "no article with slug 'no-such-article'"})
