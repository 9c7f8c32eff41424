"""liveproject.exercises.ch04: each check passes the right answer and rejects wrong ones with a hint."""

import pytest

from liveproject.exercises.ch04 import (
    check_04_article_with_author,
    check_04_drafts_per_author,
    check_04_existing_methods,
)
from liveproject.exercises.common import NotYet


def test_04_1_accepts_exactly_the_existing_methods():
    check_04_existing_methods({"acount", "aaggregate", "aget_or_create", "ain_bulk"})
    for wrong in [{"acount"}, {"acount", "aaggregate", "aget_or_create", "ain_bulk", "aall"}, set(), None]:
        with pytest.raises(NotYet, match="hasattr"):
            check_04_existing_methods(wrong)


@pytest.mark.django_db(transaction=True)
async def test_04_2_requires_the_author_loaded_with_the_article(seeded):
    from articles.models import Article

    check_04_article_with_author(await Article.objects.select_related("author").aget(slug="article-05"))
    for wrong in [
        await Article.objects.aget(slug="article-05"),
        await Article.objects.select_related("author").aget(slug="article-06"),
        None,
    ]:
        with pytest.raises(NotYet, match="select_related"):
            check_04_article_with_author(wrong)


def drafts_per_author_in_one_function():
    from articles.models import Article

    counts = {}
    for article in Article.objects.filter(status=Article.Status.DRAFT).select_related("author"):
        counts[article.author.username] = counts.get(article.author.username, 0) + 1
    return counts


async def drafts_per_author_one_aggregate():
    from django.db.models import Count

    from articles.models import Article

    rows = Article.objects.filter(status="draft").values_list("author__username").annotate(n=Count("id"))
    return {username: n async for username, n in rows}  # async for: one crossing for the whole result


async def drafts_per_author_one_acount_each():
    from articles.models import Article

    usernames = {username async for username in Article.objects.values_list("author__username", flat=True)}
    counts = {}
    for username in sorted(usernames):
        counts[username] = await Article.objects.filter(status="draft", author__username=username).acount()
    return counts  # the right dict, after one crossing per author and one for the list


def returns(value):
    async def answer():
        return value

    return answer


@pytest.mark.django_db(transaction=True)
async def test_04_3_accepts_the_right_counts_made_in_one_crossing(seeded, capsys):
    from asgiref.sync import sync_to_async

    await check_04_drafts_per_author(sync_to_async(drafts_per_author_in_one_function))
    await check_04_drafts_per_author(drafts_per_author_one_aggregate)
    assert capsys.readouterr().out == "Exercise 04.3: correct\n" * 2


@pytest.mark.django_db(transaction=True)
async def test_04_3_rejects_the_right_counts_made_in_several_crossings(seeded):
    assert await drafts_per_author_one_acount_each() == {"ada": 6, "grace": 7, "alan": 7}
    with pytest.raises(NotYet, match="crossed the sync/async boundary 4 times"):
        await check_04_drafts_per_author(drafts_per_author_one_acount_each)


@pytest.mark.django_db(transaction=True)
async def test_04_3_rejects_wrong_counts_and_answers_that_are_not_async_functions(seeded):
    for wrong in [{"ada": 6, "grace": 7}, {"ada": 20}, {"ada": 14, "grace": 13, "alan": 13}, None]:
        with pytest.raises(NotYet, match="grouped by author"):
            await check_04_drafts_per_author(returns(wrong))  # wrong dicts, even with no crossing at all
    called_already = drafts_per_author_one_aggregate()  # its result, not the function: crossings not countable
    for not_async in [{"ada": 6, "grace": 7, "alan": 7}, drafts_per_author_in_one_function, called_already, None]:
        with pytest.raises(NotYet, match="Pass your async function itself"):
            await check_04_drafts_per_author(not_async)
