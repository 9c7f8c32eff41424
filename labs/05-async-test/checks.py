"""Checks of lab 05 (write an async test). Run them with `python -m labs check 05` or `nox -s lab -- 05`.

Each step runs your detail_tests.py in a pytest session of its own (liveproject.pytest_runs), against the
project or against one deliberately broken variant of the detail view (liveproject/broken_urls/).
"""

import ast
import contextlib

from labs.loading import code_path
from labs.runner import Step, StepFailed
from liveproject.pytest_runs import drop_test_database, run_pytest, shared_database_name

BROKEN = "liveproject.broken_urls."


@contextlib.contextmanager
def lab_fixture():
    name = shared_database_name()  # one test database for the four sessions: migrated once, dropped at the end
    try:
        yield {"database": name}
    finally:
        drop_test_database(name)


def run_tests(context, variant=None):
    file = code_path(context.folder, context.code, "detail_tests.py")
    settings = {"ROOT_URLCONF": BROKEN + variant} if variant else None
    database = context.extra["database"]
    return run_pytest(context.folder, str(file.relative_to(context.folder)), settings=settings, database=database)


def tests_pass(context):
    run = run_tests(context)
    if len(run.outcomes) < 2 or set(run.outcomes.values()) != {"passed"}:
        first_failure = next(iter(run.messages.values()), run.output.strip().splitlines()[-1] if run.output else "")
        raise StepFailed(f"against the real view: {run.outcomes or 'no tests collected'}; {first_failure}"[:300])


def catches(variant, what):
    def check(context):
        run = run_tests(context, variant)
        if not run.outcomes or set(run.outcomes.values()) == {"passed"}:
            raise StepFailed(f"every test passed against a detail view that {what}: {run.outcomes or 'no tests'}")

    return check


def tests_are_async(context):
    tree = ast.parse(code_path(context.folder, context.code, "detail_tests.py").read_text())
    tests = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
    tests = [node for node in tests if node.name.startswith("test_")]
    if not tests or not all(isinstance(node, ast.AsyncFunctionDef) for node in tests):
        raise StepFailed("write the tests as `async def test_...` functions")
    if "async_client" not in ast.unparse(tree) and "AsyncClient" not in ast.unparse(tree):
        raise StepFailed("send the requests with AsyncClient (pytest-django's async_client fixture)")


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
        catches("article_detail_404", "always answers 404"),
        "assert the status of a request for an existing article",
    ),
    Step(
        "they catch a view that answers the wrong title",
        catches("article_detail_wrong_title", "puts the body where the title belongs"),
        "assert the fields of the answer, not only its status",
    ),
    Step(
        "they catch a view that crashes on an unknown slug",
        catches("article_detail_500_when_missing", "answers 500 for an unknown slug"),
        "test an unknown slug too: it must be a 404",
    ),
]
