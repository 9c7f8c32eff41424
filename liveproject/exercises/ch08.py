"""Exercise checks for chapters/08-testing-async-code.ipynb (how they work: liveproject.exercises)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from liveproject.exercises.common import NotYet, judge

if TYPE_CHECKING:
    from os import PathLike
    from typing import Any

    from liveproject.pytest_runs import PytestRun
    from liveproject.server import LiveServer

# What the three non-transactional async tests of chapter 08 do on each database, as measured there
# (tests/liveproject/exercises/test_ch08.py runs them again on the current track to keep this table honest).
TRAP_OUTCOMES = {
    "postgresql": {
        "test_view_sees_fixture_data": "failed",  # 404: the view's connection cannot see the uncommitted row
        "test_writes_a_row": "passed",  # ... committed on another connection, outside the test's transaction
        "test_starts_from_an_empty_table": "failed",  # ... so the row outlived the rollback
    },
    "sqlite": {
        "test_view_sees_fixture_data": "failed",  # database table is locked
        "test_writes_a_row": "failed",  # database table is locked
        "test_starts_from_an_empty_table": "passed",
    },
}


def check_08_trap_outcomes(answer: object) -> None:
    """Exercise 08.1: {"postgresql": {test: "passed"|"failed"}, "sqlite": {...}} for the three trap tests."""
    judge(
        "Exercise 08.1",
        answer == TRAP_OUTCOMES,
        "Each test's ORM calls run on asgiref's worker thread, with a connection of their own, while the "
        "test's transaction is open on the main thread's connection. PostgreSQL hides uncommitted rows from "
        "other connections; SQLite's in-memory test database locks the table instead.",
    )


def _run_student_tests(path: str | PathLike[str], **kwargs: Any) -> PytestRun:
    from pathlib import Path

    from liveproject.pytest_runs import run_pytest

    path = Path(path)
    if not path.is_file():
        raise NotYet(f"{path} does not exist yet: write it with the %%testfile cell first.")
    return run_pytest(path.parent, path.name, **kwargs)


def check_08_shared_client_fixed(path: str | PathLike[str], server: LiveServer) -> None:
    """Exercise 08.2: the tests in `path` make two requests to SERVER_URL and pass in one session."""
    before = len(server.log_lines("GET /async-hello/ 200"))
    run = _run_student_tests(path, env={"SERVER_URL": server.url})
    requests_made = len(server.log_lines("GET /async-hello/ 200")) - before
    judge(
        "Exercise 08.2",
        len(run.outcomes) >= 2 and set(run.outcomes.values()) == {"passed"} and requests_made >= 2,
        f"Outcomes: {run.outcomes or 'no tests collected'}; requests that reached the server: {requests_made}. "
        "Create the client inside a fixture (async with httpx.AsyncClient(...) as client: yield client) so "
        "each test's event loop gets its own, and keep both tests requesting /async-hello/.",
    )


def check_08_detail_test(path: str | PathLike[str]) -> None:
    """Exercise 08.3: the tests in `path` pass against the project and fail when the detail view is broken."""
    run = _run_student_tests(path)
    broken = _run_student_tests(path, settings={"ROOT_URLCONF": "liveproject.broken_urls.article_detail_404"})
    passes = bool(run.outcomes) and set(run.outcomes.values()) == {"passed"}
    catches = "failed" in broken.outcomes.values() or "error" in broken.outcomes.values()
    judge(
        "Exercise 08.3",
        passes and catches,
        f"Against the project: {run.outcomes or 'no tests collected'} (all must pass); against a detail view "
        f"that always answers 404: {broken.outcomes or 'no tests collected'} (one must fail). "
        f"{next(iter(run.messages.values()), '')}",
    )
