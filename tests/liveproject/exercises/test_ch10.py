"""liveproject.exercises.ch10: each check passes the right answer and rejects wrong ones with a hint."""

import asyncio

import django
import pytest

from liveproject.exercises.ch10 import check_10_existing, check_10_read_without_blocking, check_10_verdicts
from liveproject.exercises.common import NotYet


def test_10_1_compares_with_the_installed_queryset():
    from django.db.models import QuerySet

    names = ["avalues", "avalues_list", "aiterator", "ain_bulk", "acontains", "aexplain"]
    right = {name: hasattr(QuerySet, name) for name in names}
    assert right["aiterator"]
    assert not right["avalues"]
    check_10_existing(right)
    for wrong in ({name: True for name in names}, {**right, "acontains": not right["acontains"]}, None):
        with pytest.raises(NotYet, match="hasattr"):
            check_10_existing(wrong)


@pytest.mark.django_db(transaction=True)
async def test_10_2_measures_each_claim_and_accepts_only_what_it_measured(seeded):
    from liveproject.exercises.ch10 import CLAIMS_10_2, measure_10_2

    truth = await measure_10_2()
    # Django 6.0 changed the second claim: alogin() now resets the user that request.auser() cached. The third
    # claim depends on the database: pytest-django's in-memory SQLite database serializes connections, so only a
    # file or a server database shows the queries overlapping.
    auser_after_login = "TRUE" if django.VERSION >= (6, 0) else "FALSE"
    assert [truth[claim] for claim in CLAIMS_10_2[:2]] == ["FALSE", auser_after_login]
    await check_10_verdicts(truth)
    flipped = {claim: "FALSE" if verdict == "TRUE" else "TRUE" for claim, verdict in truth.items()}
    for wrong in ({claim: "TRUE" for claim in CLAIMS_10_2}, flipped, {}, None):
        with pytest.raises(NotYet, match="differ from what the check measured"):
            await check_10_verdicts(wrong)


async def test_10_3_accepts_a_read_on_a_thread_only():
    def read_text(path):
        with open(path) as file:
            return file.read()

    async def right(path):
        return await asyncio.to_thread(read_text, path)

    async def on_the_loop(path):
        return read_text(path)

    async def coroutine_mistake(path):
        from asgiref.sync import sync_to_async

        pending = sync_to_async(open)(path)
        try:
            return pending.read()
        finally:
            pending.close()

    await check_10_read_without_blocking(right)
    for wrong in (on_the_loop, coroutine_mistake):
        with pytest.raises(NotYet, match="to_thread"):
            await check_10_read_without_blocking(wrong)
