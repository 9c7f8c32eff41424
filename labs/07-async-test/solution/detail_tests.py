"""Lab 07, reference solution: async tests for GET /articles/async/<slug>/ that fail when the view is wrong."""

import pytest
from django.contrib.auth import get_user_model

from articles.models import Article


@pytest.fixture
async def article():
    author = await get_user_model().objects.acreate(username="writer")
    return await Article.objects.acreate(
        title="Testing async views", slug="testing-async-views", body="Body", status="published", author=author
    )


@pytest.mark.django_db(transaction=True)  # data committed: the view's thread sees it
async def test_detail_of_a_published_article(async_client, article):
    response = await async_client.get(f"/articles/async/{article.slug}/")
    assert response.status_code == 200
    data = response.json()
    assert (data["slug"], data["title"], data["author"], data["status"]) == (
        "testing-async-views",
        "Testing async views",
        "writer",
        "published",
    )


@pytest.mark.django_db(transaction=True)
async def test_unknown_slug(async_client):
    response = await async_client.get("/articles/async/no-such-article/")
    assert response.status_code == 404
    assert "error" in response.json()
