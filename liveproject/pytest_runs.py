"""Run a pytest session in a subprocess and read its result test by test (chapter 08 and lab 7 use it).

    run = run_pytest(folder)                 # the tests in `folder`, with the project importable
    run.outcomes                             # {"test_status": "passed", "test_detail": "failed", ...}
    run.messages["test_detail"]              # the first line of why it failed
    run.warnings                             # every warning the session issued, one line each: [] if none
    run.durations["test_detail"]             # seconds: setup + call + teardown of that test
    run.properties["test_detail"]            # what the test recorded with pytest's `record_property` fixture

Nothing is filtered: pytest runs with its default warning handling, and `warnings` collects both the
warnings summary and the warnings issued while pytest configured itself (pytest-asyncio's deprecation
warnings arrive that way, before any test runs). A notebook that runs tests should print or assert them.

Each session gets a test database of its own, so it cannot collide with the suite or notebook that runs
it: in memory on the SQLite track, `test_liveproject_pytest_<pid>_<n>` on PostgreSQL, dropped afterwards
even when a test leaked a connection (which would make pytest-django's own teardown fail).
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from liveproject import databases, processes

_counter = itertools.count(1)


@dataclass
class PytestRun:
    returncode: int
    outcomes: dict[str, str] = field(default_factory=dict)  # test name -> passed | failed | error | skipped
    messages: dict[str, str] = field(default_factory=dict)  # test name -> first line of its failure
    output: str = ""
    warnings: list[str] = field(default_factory=list)  # "Category: message" for each warning the session issued
    durations: dict[str, float] = field(default_factory=dict)  # test name -> seconds (setup + call + teardown)
    properties: dict[str, dict[str, str]] = field(default_factory=dict)  # test name -> {name: value} it recorded

    @property
    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(self.outcomes.values()).items()))


def run_pytest(
    directory: str | Path,
    *args: str,
    env: dict | None = None,
    settings: dict | None = None,
    database: str | None = None,
    timeout: float = 120,
) -> PytestRun:
    """Run pytest in `directory` (its pytest.ini or conftest.py apply) and return what each test did.

    settings: overrides on top of config.settings for this session only, e.g. {"ROOT_URLCONF": "..."} to
    run the same tests against a deliberately broken variant of the project (liveproject.broken_urls).
    database: share one test database between several sessions (pytest-django's --reuse-db: migrated once);
    the caller drops it afterwards with drop_test_database(database). By default each session has its own.
    """
    directory = Path(directory)
    name = database or f"liveproject_pytest_{os.getpid()}_{next(_counter)}"
    on_postgres = databases.backend() == "postgresql"
    python_path = os.pathsep.join(filter(None, [str(databases.PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
    session_env = {
        **os.environ,
        "PYTHONPATH": python_path,
        "DATABASE_URL": databases.url_for(name) if on_postgres else "",
        **(env or {}),
    }
    processes.sweep_scratch_folders()
    scratch = processes.scratch_folder("pytest")
    try:
        report = Path(scratch) / "report.xml"
        # nbval is not needed in these sessions, and importing it (nbformat) costs seconds
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:nbval", "-q", "--color=no"]
        # xunit1: the report format in which pytest's record_property fixture works without a warning
        command += [f"--junitxml={report}", "-o", "junit_family=xunit1"]
        if database:
            command.append("--reuse-db")
        if settings:
            lines = ["from config.settings import *  # noqa: F403"]
            lines += [f"{name} = {value!r}" for name, value in settings.items()]
            (Path(scratch) / "course_session_settings.py").write_text("\n".join(lines) + "\n")
            session_env["PYTHONPATH"] = os.pathsep.join([str(scratch), session_env["PYTHONPATH"]])
            command.append("--ds=course_session_settings")
        command += args
        try:
            done = subprocess.run(
                command,
                cwd=directory,
                env=session_env,
                capture_output=True,
                text=True,
                timeout=timeout,
                preexec_fn=processes.tie_to_caller(),  # noqa: PLW1509 - the session dies with its caller
            )
        finally:
            if not database:
                drop_test_database(name)
        run = PytestRun(
            returncode=done.returncode,
            output=done.stdout + done.stderr,
            warnings=_warnings_in(done.stdout, done.stderr),
        )
        if report.exists():
            _read_report(report, run)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return run


def drop_test_database(name: str) -> None:
    """Drop the PostgreSQL test database of the sessions that used `name` (nothing to do on SQLite)."""
    if databases.backend() == "postgresql":
        with databases.maintenance_connection() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "test_{name}" WITH (FORCE)')


def shared_database_name() -> str:
    """A fresh name for run_pytest(database=...), unique to this process."""
    return f"liveproject_pytest_{os.getpid()}_{next(_counter)}"


# A warning as Python prints it: "path:lineno: Category: message". In pytest's summary it is indented.
_WARNING_LINE = re.compile(r"^\s*\S+:\d+: (\w*Warning): (.*)$")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _warnings_in(stdout: str, stderr: str) -> list[str]:
    """Every warning in pytest's "warnings summary" section (stdout), and those printed on stderr while pytest
    configured itself, as "Category: first line of the message"."""
    found = []
    in_summary = False
    stdout, stderr = _ANSI.sub("", stdout), _ANSI.sub("", stderr)  # in case colours were forced on anyway
    for line in stdout.splitlines():
        if re.fullmatch(r"=+ warnings summary =+", line.strip()):
            in_summary = True
        elif in_summary and (line.startswith("-- Docs:") or re.fullmatch(r"=+ .* =+", line.strip())):
            in_summary = False
        elif in_summary and (match := _WARNING_LINE.match(line)):
            found.append(f"{match[1]}: {match[2].strip()}")
    for line in stderr.splitlines():
        if match := _WARNING_LINE.match(line):
            found.append(f"{match[1]}: {match[2].strip()}")
    return found


def _read_report(report: Path, run: PytestRun) -> None:
    # pytest's report gives every testcase and property a name, and every property a value: none is None here
    name: str
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        name = case.get("name")  # type: ignore[assignment]
        run.durations[name] = run.durations.get(name, 0.0) + float(case.get("time") or 0)
        for prop in case.iter("property"):
            run.properties.setdefault(name, {})[prop.get("name")] = prop.get("value")  # type: ignore[index, assignment]
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[child.tag]
                message = (child.get("message") or "").strip().splitlines()[0] if child.get("message") else ""
                break
        if name in run.outcomes and outcome == "passed":
            continue  # an error in teardown is reported as a second entry for the same test: keep the error
        run.outcomes[name] = outcome
        if message:
            run.messages[name] = message
