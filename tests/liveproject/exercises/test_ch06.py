"""liveproject.exercises.ch06: each check passes the right answer and rejects wrong ones with a hint."""

import asyncio
import contextlib

import pytest

from liveproject.exercises.ch06 import check_06_handshake, check_06_notify, check_06_publish_all
from liveproject.exercises.common import NotYet


def publish_all_atomically(*, slugs, published_by):
    from django.db import transaction

    from articles.services import article_publish

    with transaction.atomic():
        for slug in slugs:
            article_publish(slug=slug, published_by=published_by)


def publish_all_one_by_one(*, slugs, published_by):
    from articles.services import article_publish

    for slug in slugs:
        article_publish(slug=slug, published_by=published_by)


def publish_all_swallowing_errors(*, slugs, published_by):
    from articles.services import ArticleAlreadyPublished

    with contextlib.suppress(ArticleAlreadyPublished):
        publish_all_atomically(slugs=slugs, published_by=published_by)


@pytest.mark.django_db(transaction=True)
async def test_06_1_accepts_all_or_nothing_and_can_run_again(seeded):
    from articles.models import Article

    await check_06_publish_all(publish_all_atomically)
    await check_06_publish_all(publish_all_atomically)
    assert await Article.objects.published().acount() == 44
    with pytest.raises(NotYet, match="was published although"):
        await check_06_publish_all(publish_all_one_by_one)
    with pytest.raises(NotYet, match="must raise ArticleAlreadyPublished"):
        await check_06_publish_all(publish_all_swallowing_errors)
    with pytest.raises(NotYet, match="TypeError"):
        await check_06_publish_all(lambda slugs: None)


@pytest.mark.django_db(transaction=True)
async def test_06_2_accepts_a_wait_off_the_orm_thread_only(seeded):
    from asgiref.sync import sync_to_async

    from articles.models import Article

    async def set_after_a_read(ready):
        await Article.objects.acount()
        ready.set()

    def handshake_with(wait):
        async def handshake(ready):
            setter = asyncio.create_task(set_after_a_read(ready))
            answer = await wait(ready)
            await setter
            return answer

        return handshake

    await check_06_handshake(handshake_with(lambda ready: sync_to_async(ready.wait, thread_sensitive=False)(1.0)))
    await check_06_handshake(handshake_with(lambda ready: asyncio.to_thread(ready.wait, 1.0)))
    with pytest.raises(NotYet, match="returned False after 1.0 s"):
        await check_06_handshake(handshake_with(lambda ready: sync_to_async(ready.wait)(1.0)))


async def test_06_3_accepts_asend_only():
    async def with_asend(signal, slug):
        return await signal.asend(sender=None, slug=slug)

    async def with_send(signal, slug):
        return signal.send(sender=None, slug=slug)

    async def without_slug(signal, slug):
        return await signal.asend(sender=None, slug="article-01")

    await check_06_notify(with_asend)
    for wrong in (with_send, without_slug):
        with pytest.raises(NotYet, match="asend"):
            await check_06_notify(wrong)
