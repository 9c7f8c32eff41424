"""A lab's checks fail on its near-misses (labs/near_misses.py), each with a message that names the lesson."""

import pytest

from labs.near_misses import near_misses
from labs.runner import run_checks

NEAR_MISSES = near_misses()


@pytest.mark.parametrize(
    ("folder", "near_miss"), NEAR_MISSES, ids=[f"{folder.name[:2]}: {miss.name}" for folder, miss in NEAR_MISSES]
)
def test_the_checks_fail_a_near_miss_and_name_the_lesson(folder, near_miss, tmp_path):
    shown = []
    report = run_checks(folder.name[:2], str(near_miss.write(folder, tmp_path)), show=shown.append)
    assert not report.passed, "\n".join(shown)
    failures = [f"{name}: {message} {hint}" for name, ok, message, hint in report.results if not ok]
    assert any(near_miss.lesson in failure for failure in failures), "\n".join(shown)


def test_every_lab_has_near_misses():
    from labs.loading import lab_folders

    assert {folder.name for folder, _ in NEAR_MISSES} == {folder.name for folder in lab_folders()}
