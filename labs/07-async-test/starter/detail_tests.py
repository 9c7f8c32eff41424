"""Lab 07: write async tests for GET /articles/async/<slug>/ (articles/views.py: async_article_detail).

The checks run this file five more times against deliberately broken versions of that view (always 404;
the body where the title belongs; the right title with the wrong author and status; a 500 answer, and a 400 answer,
for an unknown slug). Your tests must pass against the real view and fail against every broken one.
"""

# This file starts as the frame of the reference solution (solution/detail_tests.py), with what you write left as TODOs.

import pytest
from django.contrib.auth import get_user_model  # noqa: F401 - you will need it

from articles.models import Article  # noqa: F401 - you will need it


@pytest.fixture
async def article():
    # TODO 1: create an author and a published article of your own (acreate), and return the article.
    ...


@pytest.mark.django_db(transaction=True)  # chapter 08: the reliable setting for async tests
async def test_detail_of_a_published_article(async_client, article):
    response = await async_client.get("/articles/async/article-01/")
    # TODO 2: request YOUR article, and assert the status and the fields that matter (title, author, ...).
    assert response is not None


@pytest.mark.django_db(transaction=True)
async def test_unknown_slug(async_client):
    # TODO 3: an unknown slug must be a 404 with a JSON error.
    pass
