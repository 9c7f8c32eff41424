"""liveproject.exercises.ch05: each check passes the right answer and rejects wrong ones with a hint."""

import pytest

from liveproject.exercises.ch05 import check_05_audit, check_05_hops
from liveproject.exercises.common import NotYet


def test_05_1_accepts_the_true_audit_and_rejects_a_wrong_one(settings):
    right = [(path, path.startswith("config.")) for path in settings.MIDDLEWARE]
    check_05_audit(right)
    flags_only = [(path, True) for path in settings.MIDDLEWARE]  # async_capable alone is not enough
    for wrong in [flags_only, right[:-1], list(reversed(right)), None]:
        with pytest.raises(NotYet, match="process_request"):
            check_05_audit(wrong)


async def test_05_2_accepts_the_counts_it_measures_itself_and_rejects_others(settings):
    await check_05_hops({"default": 15, "native": 2, "none": 2})
    for wrong in [
        {"default": 2, "native": 2, "none": 2},
        {"default": 15, "native": 4, "none": 2},
        {"default": 16, "native": 3, "none": 3},  # the right relations between wrong numbers
        {"default": 15},
        None,
    ]:
        with pytest.raises(NotYet, match="count_thread_hops"):
            await check_05_hops(wrong)
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "config.middleware.SyncOnlyMiddleware"]
    with pytest.raises(NotYet, match="count_thread_hops"):  # the truth follows the stack in force
        await check_05_hops({"default": 15, "native": 2, "none": 2})
