"""Lab 07's checks run the student's file in pytest sessions of their own, in a temporary folder: a session that
hangs is killed, and nothing is left behind (no folder, no process, nothing new in the lab's folder)."""

import psutil
import pytest

from labs.runner import LabContext, StepFailed, find_lab, load_checks

FOLDER = find_lab("07")

HANGING = """
import asyncio


async def test_waits_forever():
    await asyncio.sleep(600)
"""


@pytest.mark.live
def test_a_hanging_session_is_killed_and_nothing_is_left_behind(tmp_path):
    checks = load_checks(FOLDER)
    checks.SESSION_TIMEOUT = 5
    variant = tmp_path / "detail_tests.py"
    variant.write_text(HANGING)
    lab_files = sorted(FOLDER.rglob("*"))
    with checks.lab_fixture() as extra:
        sessions = extra["sessions"]
        context = LabContext(server=None, prefix="", code=str(variant), folder=FOLDER, extra=extra)
        with pytest.raises(StepFailed, match="did not finish within 5 s"):
            checks.tests_pass(context)
        sessions_alive = [p for p in psutil.Process().children(recursive=True) if "pytest" in " ".join(p.cmdline())]
        assert not sessions_alive  # the session was killed, not left running
        assert (sessions / "detail_tests.py").read_text() == HANGING  # it ran a copy, outside the lab's folder
    assert not sessions.exists()
    assert sorted(FOLDER.rglob("*")) == lab_files
