"""liveproject.exercises.ch13: the check passes the right answer on both versions and rejects each near-miss."""

import inspect

import django
import pytest

from labs.loading import import_file
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


# The solution with one lesson taken out, made by replacing text in titles_on_page's source (as labs/near_misses.py
# makes a lab's), so each follows the solution as it changes: (name, replacements, what the hint must say).
REPLACED = [
    (
        "DJANGO_ALLOW_ASYNC_UNSAFE set, the sync paginator on the event loop on 5.2",
        [
            (
                "    newest_first = ",
                '    __import__("os").environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"\n    newest_first = ',
            ),
            ("return await sync_to_async(read_page)()", "return read_page()"),
        ],
        "DJANGO_ALLOW_ASYNC_UNSAFE only hides the error",
    ),
    (
        "asyncio.to_thread on 5.2",
        [("return await sync_to_async(read_page)()", "return await __import__('asyncio').to_thread(read_page)")],
        "on a pool thread",
    ),
    (
        "thread_sensitive=False on 5.2",
        [("sync_to_async(read_page)()", "sync_to_async(read_page, thread_sensitive=False)()")],
        "on a pool thread",
    ),
    (
        "get_page and aget_page: clamped pages",
        [(".apage(number)", ".aget_page(number)"), (".page(number)", ".get_page(number)")],
        "a page past the last is an error",
    ),
    (
        "orphans",
        [
            ("(newest_first, 10)", "(newest_first, 10, orphans=3)"),
            ("(newest_first, 10)", "(newest_first, 10, orphans=3)"),
        ],
        "no orphans",
    ),
    (
        "async slicing on 6.x instead of AsyncPaginator",
        [
            (
                (
                    "page = await paginator.AsyncPaginator(newest_first, 10).apage(number)\n"
                    "        return [article.title for article in await page.aget_object_list()]"
                ),
                "return [article.title async for article in newest_first[(number - 1) * 10 : number * 10]]",
            )
        ],
        "AsyncPaginator did not read it",
    ),
    (
        "every published article read, the list paged in memory",
        [
            (
                "    if hasattr(paginator, ",
                "    newest_first = [article async for article in newest_first]\n    if hasattr(paginator, ",
            )
        ],
        "a query without LIMIT",
    ),
]


def replaced(name, replacements, folder):
    """titles_on_page with `replacements` made in its source, imported from a file in `folder` (its source must
    travel to run_on's processes, so it cannot be made with exec)."""
    source = inspect.getsource(titles_on_page)
    for old, new in replacements:
        assert old in source, f"{name}: the solution no longer contains {old!r}"
        source = source.replace(old, new, 1)
    path = folder / "near_miss.py"
    path.write_text(source)
    return import_file("near_miss_13_1", path).titles_on_page


@pytest.mark.parametrize(("name", "replacements", "lesson"), REPLACED, ids=[name for name, _, _ in REPLACED])
def test_13_1_rejects_the_solution_with_one_lesson_taken_out(name, replacements, lesson, tmp_path):
    from liveproject.exercises.ch13 import check_13_titles_on_page

    with pytest.raises(NotYet, match=lesson):
        check_13_titles_on_page(replaced(name, replacements, tmp_path))


def test_13_1_accepts_a_page_that_runs_on_both_versions():
    from liveproject.exercises.ch13 import check_13_titles_on_page

    check_13_titles_on_page(titles_on_page)


@pytest.mark.parametrize(
    ("near_miss", "lesson"),
    [
        (only_async_paginator, "Django 5.2 has no AsyncPaginator"),
        (the_5_2_way_on_both, "the sync Paginator \\(the 5.2 way\\)"),
        (sync_paginator_on_the_loop, "sync_to_async"),
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
