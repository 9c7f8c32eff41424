"""One test set, three API layers: DRF (sync), adrf (async) and django-ninja (async) serve the same articles with
the same JSON and the same errors as the project's own async views (/articles/async/).

Django's test Client runs async views with async_to_sync, and their ORM calls come back to this thread: plain
`django_db` (each test in a rolled-back transaction) is enough. The last tests use AsyncClient, as a server would.
"""

import sqlite3

import pytest
from django.db import OperationalError
from django.test import AsyncClient, Client

from articles.models import ArticleTransition
from tests.articles.test_views import PUBLISH_REFUSALS
from tests.conftest import TEST_PASSWORD

LAYERS = {"drf": "/api/drf", "adrf": "/api/adrf", "ninja": "/api/ninja"}

pytestmark = pytest.mark.django_db


@pytest.fixture(params=LAYERS)
def api(request):
    """The prefix of one layer's articles API, e.g. /api/drf/articles."""
    return f"{LAYERS[request.param]}/articles"


def client_for(username=None, *, csrf=False) -> Client:
    """A client, logged in as `username` if given; `csrf=True` checks CSRF tokens as a browser's requests are."""
    client = Client(enforce_csrf_checks=csrf)
    if username:
        assert client.login(username=username, password=TEST_PASSWORD)
    return client


def post_with_token(client: Client, url: str):
    """A POST the way a page of the project sends one: the CSRF cookie's token in X-CSRFToken."""
    client.get("/auth/csrf/")
    return client.post(url, content_type="application/json", headers={"X-CSRFToken": client.cookies["csrftoken"].value})


def make_the_database_busy(monkeypatch):
    """Every publish meets a lock held past its timeout, as under a burst of writers on SQLite."""

    def locked(**kwargs):
        raise OperationalError("database is locked") from sqlite3.OperationalError("database is locked")

    monkeypatch.setattr("api.publishing.article_publish", locked)


@pytest.mark.parametrize("query", ["", "?page=1", "?page=3", "?page=4", "?page=5", "?page=10000"])
def test_list_is_the_projects_json(seeded, api, query):
    expected = Client().get(f"/articles/async/{query}").json()
    response = Client().get(f"{api}/{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == expected


def test_list_pages_hold_ten_then_none(seeded, api):
    pages = [Client().get(f"{api}/?page={page}").json() for page in (1, 4, 5)]
    shapes = [(page["page"], page["count"], len(page["articles"])) for page in pages]
    assert shapes == [(1, 40, 10), (4, 40, 10), (5, 40, 0)]
    assert pages[0]["articles"][0]["slug"] == "article-40"  # newest publication first


@pytest.mark.parametrize("page", ["0", "-1", "abc", "10001", "1.5", "9" * 40])
def test_a_bad_page_is_a_400_that_names_it(seeded, api, page):
    response = Client().get(f"{api}/?page={page}")
    assert response.status_code == 400
    assert set(response.json()) == {"error"}
    assert "page" in response.json()["error"]


@pytest.mark.parametrize("slug", ["article-07", "article-41"])  # published, and a draft
def test_detail_is_the_projects_json(seeded, api, slug):
    expected = Client().get(f"/articles/async/{slug}/").json()
    assert Client().get(f"{api}/{slug}/").json() == expected


def test_detail_counts_transitions(seeded, api):
    assert post_with_token(client_for("editor"), f"{api}/article-41/publish/").status_code == 200
    detail = Client().get(f"{api}/article-41/").json()
    assert (detail["status"], detail["transitions"]) == ("published", 1)
    assert detail == Client().get("/articles/async/article-41/").json()


def test_unknown_article_is_the_projects_404(seeded, api):
    response = Client().get(f"{api}/no-such-article/")
    assert (response.status_code, response.json()) == (404, {"error": "no article with slug 'no-such-article'"})


def test_staff_publishes_once_then_gets_409(seeded, api):
    client = client_for("editor", csrf=True)
    first = post_with_token(client, f"{api}/article-41/publish/")
    assert first.status_code == 200
    assert first.json()["slug"] == "article-41"
    assert first.json()["status"] == "published"
    again = post_with_token(client, f"{api}/article-41/publish/")
    assert (again.status_code, again.json()) == (409, {"error": "article 'article-41' is already published"})
    assert ArticleTransition.objects.filter(article__slug="article-41").count() == 1


@pytest.mark.parametrize(("who", "slug", "status", "message"), PUBLISH_REFUSALS)
def test_publish_refusals_are_the_projects_4xx(seeded, api, who, slug, status, message):
    response = post_with_token(client_for(who, csrf=True), f"{api}/{slug}/publish/")
    assert (response.status_code, response.json()) == (status, {"error": message})
    assert ArticleTransition.objects.count() == 0


def test_a_busy_database_is_a_503_that_says_try_again(seeded, api, monkeypatch):
    make_the_database_busy(monkeypatch)
    response = post_with_token(client_for("editor", csrf=True), f"{api}/article-41/publish/")
    assert response.status_code == 503
    assert response.json() == {"error": "the database is busy; nothing was published, try again"}


def test_a_session_without_its_csrf_token_cannot_publish(seeded, api):
    """All three layers are CSRF-exempt for Django's middleware and check the token themselves: DRF's
    SessionAuthentication and ninja's django_auth, for a logged-in user. A forged form post publishes nothing."""
    response = client_for("editor", csrf=True).post(f"{api}/article-41/publish/", content_type="application/json")
    assert response.status_code == 403
    assert "csrf" in response.json()["error"].lower()
    assert ArticleTransition.objects.count() == 0


def test_a_wrong_method_is_a_405_that_says_so(seeded, api):
    response = Client().get(f"{api}/article-41/publish/")
    assert response.status_code == 405
    assert "GET" in response.json()["error"]
    assert "POST" in response["Allow"]


@pytest.mark.django_db(transaction=True)  # the async ORM runs on another thread, so another connection
async def test_async_client_sees_the_same(seeded, api):
    """As under a server: the async layers run on the loop, DRF's sync view on a thread; same answers."""
    client = AsyncClient()
    listed = (await client.get(f"{api}/?page=2")).json()
    assert [a["slug"] for a in listed["articles"]][:2] == ["article-30", "article-29"]
    assert (await client.get(f"{api}/article-07/")).json()["author"] == "ada"


@pytest.mark.parametrize(("name", "kwargs", "path"), [
    ("drf-article-list", {}, "/api/drf/articles/"),
    ("drf-article-detail", {"slug": "article-07"}, "/api/drf/articles/article-07/"),
    ("drf-article-publish", {"slug": "article-07"}, "/api/drf/articles/article-07/publish/"),
    ("adrf-article-list", {}, "/api/adrf/articles/"),
    ("adrf-article-detail", {"slug": "article-07"}, "/api/adrf/articles/article-07/"),
    ("adrf-article-publish", {"slug": "article-07"}, "/api/adrf/articles/article-07/publish/"),
    ("api-ninja:article_list", {}, "/api/ninja/articles/"),
    ("api-ninja:article_detail", {"slug": "article-07"}, "/api/ninja/articles/article-07/"),
    ("api-ninja:article_publish", {"slug": "article-07"}, "/api/ninja/articles/article-07/publish/"),
])  # fmt: skip
def test_each_layer_names_its_routes(name, kwargs, path):
    from django.urls import reverse

    assert reverse(name, kwargs=kwargs) == path
