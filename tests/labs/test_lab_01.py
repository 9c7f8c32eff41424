"""Lab 01's checks vary slow_io's wait per run, and read the code (ast) only for what the server cannot show."""

import pytest

from labs.runner import LabContext, StepFailed, find_lab, load_checks
from labs.slow_io_checks import CONCURRENT_FACTOR

FOLDER = find_lab("01")
SOLUTION = (FOLDER / "solution" / "views.py").read_text()


def context_for(tmp_path, source):
    (tmp_path / "views.py").write_text(source)
    return LabContext(server=None, prefix="", code="student", folder=tmp_path)


def test_each_run_chooses_a_wait_that_no_typed_in_number_matches():
    waits = {load_checks(FOLDER).SLOW_IO_SECONDS for _ in range(5)}
    assert len(waits) > 1
    assert all(0.25 <= wait <= 0.4 for wait in waits)
    checks = load_checks(FOLDER)
    assert checks.SERVER_SETTINGS == {"SLOW_IO_SECONDS": checks.SLOW_IO_SECONDS}
    assert 1 < CONCURRENT_FACTOR < 2  # three waits at once pass; two in sequence cannot


def test_the_slugs_read_through_a_helper_that_calls_sync_to_async_fail(tmp_path):
    checks = load_checks(FOLDER)
    checks.slugs_read_with_the_async_orm(context_for(tmp_path, SOLUTION))
    helper = SOLUTION.replace(
        "slugs = [slug async for slug in newest]",
        "slugs = await read(newest)",
    ).replace("@require_GET\n", "async def read(qs):\n    return await sync_to_async(list)(qs)\n\n\n@require_GET\n")
    with pytest.raises(StepFailed, match="not read them with the async ORM"):
        checks.slugs_read_with_the_async_orm(context_for(tmp_path, helper))
