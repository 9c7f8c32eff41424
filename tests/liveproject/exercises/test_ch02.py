"""liveproject.exercises.ch02: each check passes the right answer and rejects wrong ones with a hint."""

import asyncio

import pytest

from liveproject.exercises.ch02 import check_02_fan_out_prediction, check_02_partial_failure, check_02_settle
from liveproject.exercises.common import NotYet


def test_02_1_accepts_rounds_times_delay():
    check_02_fan_out_prediction(0.9)
    for wrong in [0.3, 1.8, 0.6, None]:
        with pytest.raises(NotYet, match="Count the rounds"):
            check_02_fan_out_prediction(wrong)


def fan_out_answer(*outcomes):
    calls = [{"call": i, "outcome": outcome} for i, outcome in enumerate(outcomes)]
    summary = {kind: list(outcomes).count(kind) for kind in ("ok", "error", "timeout")}
    return {"calls": calls, "summary": summary}


def test_02_2_accepts_one_timeout_one_error_and_a_success():
    check_02_partial_failure(fan_out_answer("ok", "error", "timeout"))
    for wrong in [
        fan_out_answer("ok", "ok"),
        fan_out_answer("error", "timeout"),
        fan_out_answer("ok", "timeout", "timeout", "error"),
        {},
        None,
    ]:
        with pytest.raises(NotYet, match="delay longer than"):
            check_02_partial_failure(wrong)


async def test_02_3_accepts_gather_with_return_exceptions():
    async def settle(coroutines):
        return await asyncio.gather(*coroutines, return_exceptions=True)

    await check_02_settle(settle)


async def sequential(coroutines):
    results = []
    for coroutine in coroutines:
        try:
            results.append(await coroutine)
        except ValueError as exc:
            results.append(exc)
    return results


async def gather_that_raises(coroutines):
    return await asyncio.gather(*coroutines)


async def task_group(coroutines):
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(c) for c in coroutines]
    return [t.result() for t in tasks]


@pytest.mark.parametrize("wrong", [sequential, gather_that_raises, task_group])
async def test_02_3_rejects_sequential_raising_and_cancelling_answers(wrong):
    with pytest.raises(NotYet, match="return_exceptions=True"):
        await check_02_settle(wrong)
