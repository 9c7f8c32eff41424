"""A lab's checks fail on its near-misses (labs/near_misses.py), each with a message that names the lesson."""

import django
import pytest

from labs.near_misses import near_misses
from labs.runner import run_checks
from liveproject import databases

NEAR_MISSES = near_misses()


@pytest.mark.parametrize(
    ("folder", "near_miss"), NEAR_MISSES, ids=[f"{folder.name[:2]}: {miss.name}" for folder, miss in NEAR_MISSES]
)
@pytest.mark.live
def test_the_checks_fail_a_near_miss_and_name_the_lesson(folder, near_miss, tmp_path):
    if databases.backend() == "postgresql" and not near_miss.differs_by_database:
        # Its checks catch it through HTTP answers and code that do not change with the database: a second run on
        # PostgreSQL would cost time and show nothing new (NearMiss.differs_by_database).
        pytest.skip("caught the same way on both databases: it runs on SQLite")
    if django.VERSION[0] >= 6 and not near_miss.differs_by_django:
        # Its checks catch it through what Django 6 did not change: the 5.2 tracks run it (NearMiss.differs_by_django).
        pytest.skip("caught through what Django 6 did not change: it runs on the 5.2 tracks")
    shown = []
    code = str(near_miss.write(folder, tmp_path))
    # The steps after the failure that names the lesson cannot change the verdict asserted here: they are not run.
    report = run_checks(folder.name[:2], code, show=shown.append, until=lambda failure: near_miss.lesson in failure)
    assert not report.passed, "\n".join(shown)
    failures = [f"{name}: {message} {hint}" for name, ok, message, hint in report.results if not ok]
    assert any(near_miss.lesson in failure for failure in failures), "\n".join(shown)


def test_every_lab_has_near_misses():
    from labs.loading import lab_folders

    assert {folder.name for folder, _ in NEAR_MISSES} == {folder.name for folder in lab_folders()}
