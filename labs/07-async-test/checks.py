"""Checks of lab 07 (write an async test). Run them with `python -m labs check 07` or `nox -s lab -- 07`.

Each step runs your detail_tests.py in a pytest session of its own (liveproject.pytest_runs), against the
project or against one deliberately broken variant of the detail view. The sessions run in a temporary folder
that holds a copy of your file, this lab's pytest.ini and unknown_slug_500_urls.py; the folder and the sessions'
test database are removed when the checks end, and a session that outlives its timeout is killed.
"""

import ast
import contextlib
import shutil
import subprocess
from pathlib import Path

from labs.loading import code_path
from labs.runner import Step, StepFailed
from liveproject import databases, processes
from liveproject.pytest_runs import drop_test_database, run_pytest, shared_database_name

HERE = Path(__file__).resolve().parent
NEEDS_SERVER = False  # the steps run pytest sessions (Django's test client), not requests to a live server
STUDENT_FILE = "detail_tests.py"  # the file this lab's student edits (the other labs': views.py)
SESSION_TIMEOUT = 90  # seconds: a session of two small tests takes 2 to 4; a test that hangs fails the step
UNKNOWN_SLUG_500 = "unknown_slug_500_urls"  # copied into the session folder, importable there
BROKEN = {
    "404": "liveproject.broken_urls.article_detail_404",
    "wrong title": "liveproject.broken_urls.article_detail_wrong_title",
    "wrong author": "liveproject.broken_urls.article_detail_wrong_author",  # and the wrong status; the title right
    "500": UNKNOWN_SLUG_500,
    "400": "liveproject.broken_urls.article_detail_400_when_missing",
}
TRANSACTION_LESSON = (
    "an async fixture writes on another connection, which only django_db(transaction=True) cleans up (chapter 08)"
)


@contextlib.contextmanager
def lab_fixture():
    name = shared_database_name()  # one test database for the sessions: migrated once, dropped at the end
    folder = processes.scratch_folder("lab07-sessions")  # named with this process's id: swept if it is killed
    try:
        shutil.copyfile(HERE / "pytest.ini", folder / "pytest.ini")
        shutil.copyfile(HERE / f"{UNKNOWN_SLUG_500}.py", folder / f"{UNKNOWN_SLUG_500}.py")
        yield {"database": name, "sessions": folder}
    finally:
        drop_test_database(name)
        shutil.rmtree(folder, ignore_errors=True)


def run_tests(context, variant=None):
    """Your file, copied into the sessions' folder, in a pytest session against the project or a broken variant."""
    folder = context.extra["sessions"]
    shutil.copyfile(code_path(context.folder, context.code, STUDENT_FILE), folder / STUDENT_FILE)
    settings = {"ROOT_URLCONF": BROKEN[variant]} if variant else None
    try:
        return run_pytest(
            folder, STUDENT_FILE, settings=settings, database=context.extra["database"], timeout=SESSION_TIMEOUT
        )
    except subprocess.TimeoutExpired:  # subprocess.run killed the session
        raise StepFailed(f"your tests did not finish within {SESSION_TIMEOUT} s: does a test wait forever?") from None


def with_lesson(message: str) -> str:
    """`message`, followed by chapter 08's lesson when it is the sign of a test whose data the view cannot see."""
    signs = ("table is locked", "IntegrityError", "UNIQUE constraint", "duplicate key")
    return f"{message}: {TRANSACTION_LESSON}" if any(sign in message for sign in signs) else message


def errors_explained(run) -> str:
    """What went wrong in the tests that errored (in a fixture, setup or teardown), with the likely lesson."""
    errored = [name for name, outcome in run.outcomes.items() if outcome == "error"]
    first = run.messages.get(errored[0], "") if errored else ""
    return with_lesson(f"{', '.join(errored)} errored ({first[:160]})")


def leftover_rows(database) -> dict:
    """Rows the tests left in the shared test database (PostgreSQL; SQLite's is in memory and gone)."""
    if databases.backend() != "postgresql":
        return {}
    import psycopg

    with psycopg.connect(databases.url_for(f"test_{database}"), connect_timeout=10) as connection:
        counts = {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("articles_article", "auth_user")
        }
    return {table: count for table, count in counts.items() if count}


def tests_pass(context):
    run = run_tests(context)
    if "error" in run.outcomes.values():
        raise StepFailed(f"against the real view, {errors_explained(run)}")
    if len(run.outcomes) < 2 or set(run.outcomes.values()) != {"passed"}:
        failed = next(iter(run.messages.items()), None)
        why = f"{failed[0]}: {failed[1][:160]}" if failed else (run.output.strip().splitlines() or ["no output"])[-1]
        raise StepFailed(with_lesson(f"against the real view: {run.outcomes or 'no tests collected'}; {why}"))
    left = leftover_rows(context.extra["database"])
    if left:
        raise StepFailed(
            f"your tests passed but left rows behind in the test database ({left}): {TRANSACTION_LESSON}; the "
            "next session would find them"
        )


def catches(variant, what, lesson):
    def check(context):
        run = run_tests(context, variant)
        if "error" in run.outcomes.values():
            raise StepFailed(f"against a detail view that {what}, {errors_explained(run)}; an error catches nothing")
        if "failed" not in run.outcomes.values():
            outcomes = run.outcomes or "no tests"
            raise StepFailed(f"no test failed against a detail view that {what} ({outcomes}): {lesson}")

    return check


def tests_are_async(context):
    tree = ast.parse(code_path(context.folder, context.code, STUDENT_FILE).read_text())
    tests = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
    tests = [node for node in tests if node.name.startswith("test_")]
    if not tests or not all(isinstance(node, ast.AsyncFunctionDef) for node in tests):
        raise StepFailed("write the tests as `async def test_...` functions")
    builds_a_client = any(
        isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "AsyncClient"
        for node in ast.walk(tree)
    )
    without_client = [
        test.name for test in tests if "async_client" not in {arg.arg for arg in test.args.args} and not builds_a_client
    ]
    if without_client:
        raise StepFailed(f"{', '.join(without_client)}: send the requests with AsyncClient (the async_client fixture)")


# The labs' shared format, the same shape in every lab's checks.py: one Step(name, check, hint) per step.
STEPS = [
    Step("the tests are async and use AsyncClient", tests_are_async, "async def test_...(async_client, ...)"),
    Step(
        "your tests pass against the real view",
        tests_pass,
        "create your own article in an async fixture with acreate, under django_db(transaction=True), and "
        "request it by its slug",
    ),
    Step(
        "they catch a view that always answers 404",
        catches("404", "always answers 404", "assert the status of a request for an existing article"),
        "assert the status of a request for an existing article",
    ),
    Step(
        "they catch a view that answers the wrong title",
        catches(
            "wrong title",
            "puts the body where the title belongs",
            "assert the values of the fields that matter, not only the status or that a key is there",
        ),
        "compare the answer's title and author with those of the article your fixture created",
    ),
    Step(
        "they catch a view that answers the wrong author and status",
        catches(
            "wrong author",
            "answers the right title with the wrong author and status",
            "assert the values of every field that matters (the author and the status too), not only the title",
        ),
        "compare the answer's author and status with those of the article your fixture created",
    ),
    Step(
        "they catch a view that answers 500 for an unknown slug",
        catches(
            "500",
            "answers 500 (an error response) for an unknown slug",
            "an unknown slug must be a 404; a test that only rules out 200, or only looks for an error message, "
            "cannot tell a 404 from a crash",
        ),
        "request a slug that does not exist and assert that the status is 404",
    ),
    Step(
        "they catch a view that answers 400 for an unknown slug",
        catches(
            "400",
            "answers 400 (another client error) for an unknown slug",
            "an unknown slug must be a 404, not any 4xx: assert the status is 404, not a range of statuses",
        ),
        "assert that the status is exactly 404",
    ),
]
