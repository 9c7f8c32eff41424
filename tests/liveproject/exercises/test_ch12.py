"""liveproject.exercises.ch12: each check passes the right answer and rejects the near-misses with a hint that names
the lesson. transaction=True: the async ORM runs on another thread than the test, so the seed must be committed."""

import asyncio

import pytest
from django.db.models import Count

from articles import tasks
from articles.models import Article
from liveproject.exercises.ch12 import check_12_enqueue, check_12_one_trip_detail, check_12_serializable_page
from liveproject.exercises.common import NotYet

pytestmark = pytest.mark.django_db(transaction=True)


async def load_page(page):
    offset = (page - 1) * 10
    return [a async for a in Article.objects.published().select_related("author")[offset : offset + 10]]


async def load_page_without_authors(page):
    offset = (page - 1) * 10
    return [a async for a in Article.objects.published()[offset : offset + 10]]


async def load_page_oldest_first(page):
    offset = (page - 1) * 10
    return [
        a async for a in Article.objects.published().select_related("author").order_by("published_at")[offset:][:10]
    ]


async def load_page_row_by_row(page):
    published = Article.objects.published().select_related("author")
    return [await published[i : i + 1].aget() for i in range((page - 1) * 10, page * 10)]


async def test_12_1_accepts_a_page_with_its_authors_and_rejects_the_near_misses(seeded):
    await check_12_serializable_page(load_page)
    for near_miss, lesson in [
        (load_page_without_authors, "author was not loaded"),
        (load_page_oldest_first, "newest publication first"),
        (load_page_row_by_row, "crossings"),
        (load_page_lazily, "A queryset is lazy"),
        (load_page(1), "not a call"),
    ]:
        with pytest.raises(NotYet, match=lesson):
            await check_12_serializable_page(near_miss)


async def announce(slug):
    return (await tasks.article_announce.aenqueue(slug=slug)).id


async def announce_with_the_default_spelled_out(slug):
    return (await tasks.article_announce.aenqueue(slug=slug, work_seconds=0)).id  # the same task: accepted


async def announce_slowly(slug):
    return (await tasks.article_announce.aenqueue(slug=slug, work_seconds=5)).id


async def load_page_lazily(page):
    offset = (page - 1) * 10
    return Article.objects.published().select_related("author")[offset : offset + 10]  # a queryset, not rows


async def announce_by_running_it(slug):
    return await tasks.article_announce.acall(slug=slug)  # runs it here, in the request


_started = set()


async def announce_with_create_task(slug):
    task = asyncio.create_task(tasks.article_announce.acall(slug=slug))  # chapter 02's mistake
    _started.add(task)
    task.add_done_callback(_started.discard)
    return "00000000-0000-0000-0000-000000000000"


async def announce_another_article(slug):
    other = (
        "article-02" if slug == "article-01" else "article-01"
    )  # never the one asked for (the check picks at random)
    return (await tasks.article_announce.aenqueue(slug=other)).id


async def test_12_2_accepts_an_enqueued_task_and_rejects_running_it(seeded):
    from django_tasks_db.models import DBTaskResult

    await check_12_enqueue(announce)
    await check_12_enqueue(announce_with_the_default_spelled_out)
    assert await DBTaskResult.objects.acount() == 0  # the check removes the task it made enqueue
    for near_miss, lesson in [
        (announce_by_running_it, "runs it here"),
        (announce_with_create_task, "create_task"),
        (announce_another_article, "article_announce"),
        (announce_slowly, "article_announce"),
    ]:
        with pytest.raises(NotYet, match=lesson):
            await check_12_enqueue(near_miss)
    await asyncio.gather(*_started)


def as_json(article, transitions):
    return {
        "slug": article.slug, "title": article.title, "status": article.status,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "author": article.author.username, "body": article.body, "transitions": transitions,
    }  # fmt: skip


async def detail(slug):
    article = await Article.objects.select_related("author").annotate(n=Count("transitions")).aget(slug=slug)
    return as_json(article, article.n)


async def detail_in_two_trips(slug):
    article = await Article.objects.select_related("author").aget(slug=slug)
    return as_json(article, await article.transitions.acount())


async def detail_with_a_lazy_author(slug):
    article = await Article.objects.annotate(n=Count("transitions")).aget(slug=slug)
    return as_json(article, article.n)


async def detail_with_a_datetime(slug):
    return await detail(slug) | {"published_at": "2025-01-01T00:00:00Z"}


async def test_12_3_accepts_one_trip_and_rejects_the_near_misses(seeded):
    await check_12_one_trip_detail(detail)
    for near_miss, lesson in [
        (detail_in_two_trips, "crossings"),
        (detail_with_a_lazy_author, "SynchronousOnlyOperation"),
        (detail_with_a_datetime, "published_at"),
    ]:
        with pytest.raises(NotYet, match=lesson):
            await check_12_one_trip_detail(near_miss)
