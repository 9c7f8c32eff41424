"""liveproject.exercises.ch13: the check passes the right answer on both versions and rejects each near-miss."""

import django
import pytest

from liveproject.exercises.common import NotYet
from liveproject.versions import OVERLAY

pytestmark = [
    pytest.mark.live,  # each check starts a process per version
    pytest.mark.skipif(
        django.VERSION < (6, 0) or not (OVERLAY / "django").is_dir(),
        reason="the 6.x track's environment (nox -s tests_django6) holds Django 5.2 beside 6.x",
    ),
]


async def titles_on_page(number):
    from asgiref.sync import sync_to_async
    from django.core import paginator

    from articles.models import Article

    newest_first = Article.objects.published().order_by("-published_at")
    if hasattr(paginator, "AsyncPaginator"):
        page = await paginator.AsyncPaginator(newest_first, 10).apage(number)
        return [article.title for article in await page.aget_object_list()]

    def read_page():
        return [article.title for article in paginator.Paginator(newest_first, 10).page(number)]

    return await sync_to_async(read_page)()


async def only_async_paginator(number):
    from django.core.paginator import AsyncPaginator

    from articles.models import Article

    page = await AsyncPaginator(Article.objects.published().order_by("-published_at"), 10).apage(number)
    return [article.title for article in await page.aget_object_list()]


async def the_5_2_way_on_both(number):
    from asgiref.sync import sync_to_async
    from django.core.paginator import Paginator

    from articles.models import Article

    def read_page():
        return [
            article.title
            for article in Paginator(Article.objects.published().order_by("-published_at"), 10).page(number)
        ]

    return await sync_to_async(read_page)()


async def unsafe_switched_on(number):
    import os

    from django.core import paginator

    from articles.models import Article

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the SynchronousOnlyOperation it hides is the lesson
    newest_first = Article.objects.published().order_by("-published_at")
    if hasattr(paginator, "AsyncPaginator"):
        page = await paginator.AsyncPaginator(newest_first, 10).apage(number)
        return [article.title for article in await page.aget_object_list()]
    return [article.title for article in paginator.Paginator(newest_first, 10).page(number)]


async def on_a_pool_thread(number):
    import asyncio

    from django.core import paginator

    from articles.models import Article

    newest_first = Article.objects.published().order_by("-published_at")
    if hasattr(paginator, "AsyncPaginator"):
        page = await paginator.AsyncPaginator(newest_first, 10).apage(number)
        return [article.title for article in await page.aget_object_list()]

    def read_page():
        return [article.title for article in paginator.Paginator(newest_first, 10).page(number)]

    return await asyncio.to_thread(read_page)


async def not_thread_sensitive(number):
    from asgiref.sync import sync_to_async
    from django.core import paginator

    from articles.models import Article

    newest_first = Article.objects.published().order_by("-published_at")
    if hasattr(paginator, "AsyncPaginator"):
        page = await paginator.AsyncPaginator(newest_first, 10).apage(number)
        return [article.title for article in await page.aget_object_list()]

    def read_page():
        return [article.title for article in paginator.Paginator(newest_first, 10).page(number)]

    return await sync_to_async(read_page, thread_sensitive=False)()


async def clamped_pages(number):
    from asgiref.sync import sync_to_async
    from django.core import paginator

    from articles.models import Article

    newest_first = Article.objects.published().order_by("-published_at")
    if hasattr(paginator, "AsyncPaginator"):
        page = await paginator.AsyncPaginator(newest_first, 10).aget_page(number)
        return [article.title for article in await page.aget_object_list()]

    def read_page():
        return [article.title for article in paginator.Paginator(newest_first, 10).get_page(number)]

    return await sync_to_async(read_page)()


async def with_orphans(number):
    from asgiref.sync import sync_to_async
    from django.core import paginator

    from articles.models import Article

    newest_first = Article.objects.published().order_by("-published_at")
    if hasattr(paginator, "AsyncPaginator"):
        page = await paginator.AsyncPaginator(newest_first, 10, orphans=3).apage(number)
        return [article.title for article in await page.aget_object_list()]

    def read_page():
        return [article.title for article in paginator.Paginator(newest_first, 10, orphans=3).page(number)]

    return await sync_to_async(read_page)()


async def sliced_on_6_x(number):
    from asgiref.sync import sync_to_async
    from django.core import paginator

    from articles.models import Article

    newest_first = Article.objects.published().order_by("-published_at")
    if hasattr(paginator, "AsyncPaginator"):
        start = (number - 1) * 10
        return [article.title async for article in newest_first[start : start + 10]]

    def read_page():
        return [article.title for article in paginator.Paginator(newest_first, 10).page(number)]

    return await sync_to_async(read_page)()


async def sync_paginator_on_the_loop(number):
    from django.core.paginator import Paginator

    from articles.models import Article

    return [
        article.title for article in Paginator(Article.objects.published().order_by("-published_at"), 10).page(number)
    ]


async def always_the_first_page(number):
    from articles.models import Article

    return [article.title async for article in Article.objects.published().order_by("-published_at")[:10]]


async def oldest_first(number):
    from articles.models import Article

    start = (number - 1) * 10
    rows = Article.objects.published().order_by("published_at")[start : start + 10]
    return [article.title async for article in rows]


async def the_page_itself(number):
    from asgiref.sync import sync_to_async
    from django.core import paginator

    from articles.models import Article

    newest_first = Article.objects.published().order_by("-published_at")
    if hasattr(paginator, "AsyncPaginator"):
        return await paginator.AsyncPaginator(newest_first, 10).apage(number)  # a page, not its titles
    return await sync_to_async(
        lambda: [article.title for article in paginator.Paginator(newest_first, 10).page(number)]
    )()


async def every_status(number):
    from articles.models import Article

    start = (number - 1) * 10
    return [article.title async for article in Article.objects.order_by("-published_at")[start : start + 10]]


async def newest_id_first(number):
    from articles.models import Article

    start = (number - 1) * 10
    return [article.title async for article in Article.objects.published().order_by("-pk")[start : start + 10]]


def not_async(number):
    from django.core.paginator import Paginator

    from articles.models import Article

    return [
        article.title for article in Paginator(Article.objects.published().order_by("-published_at"), 10).page(number)
    ]


SIZE = 10


async def uses_a_name_from_another_cell(number):
    from articles.models import Article

    start = (number - 1) * SIZE
    return [
        article.title async for article in Article.objects.published().order_by("-published_at")[start : start + SIZE]
    ]


def test_13_1_accepts_a_page_that_runs_on_both_versions():
    from liveproject.exercises.ch13 import check_13_titles_on_page

    check_13_titles_on_page(titles_on_page)


@pytest.mark.parametrize(
    ("near_miss", "lesson"),
    [
        (only_async_paginator, "Django 5.2 has no AsyncPaginator"),
        (the_5_2_way_on_both, "the sync Paginator \\(the 5.2 way\\)"),
        (sync_paginator_on_the_loop, "sync_to_async"),
        (unsafe_switched_on, "DJANGO_ALLOW_ASYNC_UNSAFE only hides the error"),
        (on_a_pool_thread, "on a pool thread"),
        (not_thread_sensitive, "on a pool thread"),
        (clamped_pages, "a page past the last is an error"),
        (with_orphans, "no orphans"),
        (sliced_on_6_x, "AsyncPaginator did not read it"),
        (always_the_first_page, "other titles than that page's"),
        (oldest_first, "other titles than that page's|wrong order"),
        (the_page_itself, "not JSON serializable"),
        (every_status, "published articles only"),
        (newest_id_first, "other titles than that page's"),
        (not_async, "an async function"),
        (uses_a_name_from_another_cell, "Only your function's source travels"),
    ],
)
def test_13_1_rejects_a_near_miss_with_its_lesson(near_miss, lesson):
    from liveproject.exercises.ch13 import check_13_titles_on_page

    with pytest.raises(NotYet, match=lesson):
        check_13_titles_on_page(near_miss)
