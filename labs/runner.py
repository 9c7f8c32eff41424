"""Run a lab's checks against a live server and say, step by step, what passes and what to look at next.

    python -m labs check 01              your code (labs/01-async-report/views.py)
    python -m labs check 01 --solution   the reference solution
    python -m labs check 01 --file F     a file of your choice in place of views.py (a student's submission)
    python -m labs reset 01              put the starter code back (your versions are kept as *.bak)
    python -m labs progress FOLDER       a class's progress: the result files that `check --progress FOLDER`
                                         (or LAB_PROGRESS_DIR=FOLDER) wrote, as a table

`check` needs the course's packages: run it with the Python of the course's environment (`nox -s lab -- 01` does,
and so does a terminal opened in the course's JupyterLab). The checks use the database DATABASE_URL names
(PostgreSQL), or SQLite when it is empty or unset, and the report's first line says which.

Each lab's checks.py defines STEPS, a list of Step(name, check, hint). A check receives a LabContext with a
running server serving the chosen code; it fails by raising StepFailed (or AssertionError) with a message.
When a step fails, the exceptions the server logged while it ran (the cause of a 500) are added to its message.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from labs.loading import CODES, code_path, describe, import_file, lab_folders

if TYPE_CHECKING:
    from types import FrameType, ModuleType
    from typing import Protocol

    from liveproject.server import LiveServer

    class _LoggingServer(Protocol):
        """What a failure's explanation reads of a server: its log (a LiveServer's, a NoServer's; tests pass a
        stand-in)."""

        def log_text(self) -> str: ...


class StepFailed(AssertionError):
    """A check's verdict: what was expected and what the server did instead."""


@dataclass
class Step:
    name: str
    check: Callable
    hint: str


@dataclass
class LabContext:
    server: object  # liveproject.LiveServer
    prefix: str  # "/labs/01-async-report"
    code: str
    folder: Path
    extra: dict = field(default_factory=dict)  # what the lab's fixture provides (e.g. a probe upstream)

    def url(self, path: str) -> str:
        return f"{self.prefix}/{path.lstrip('/')}"

    def source(self, name: str = "views.py") -> str:
        """The code under test, as text (for checks on how it is written, such as `async def`)."""
        return code_path(self.folder, self.code, name).read_text()

    def is_async_function(self, name: str) -> bool:
        """Whether the code under test defines `name` with `async def` (at module level or in a class)."""
        tree = ast.parse(self.source())
        return any(isinstance(node, ast.AsyncFunctionDef) and node.name == name for node in ast.walk(tree))


@dataclass
class LabReport:
    lab: str
    code: str
    results: list = field(default_factory=list)  # (step name, passed, message, hint)
    seconds: float = 0.0
    database: str = ""  # "SQLite" or "PostgreSQL at host:port"

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(ok for _, ok, _, _ in self.results)

    @property
    def failed_steps(self) -> list[str]:
        return [name for name, ok, _, _ in self.results if not ok]


def run_project_script(script: str, *args: str, database_url: str, debug: bool = True, what: str = "") -> str:
    """Run `script` (Python source) in a fresh process with the project's settings, on `database_url` ("" is
    SQLite's file), and return what it printed. The checks use it for ground truth and for rows the student has
    not seen, so they never set Django up in their own process. A failure raises RuntimeError with its stderr."""
    from liveproject.databases import PROJECT_ROOT

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    if debug:
        env["DJANGO_DEBUG"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what or 'a script of the checks'} failed: {done.stderr.strip()[-500:]}")
    return done.stdout


def find_lab(number: str | int) -> Path:
    wanted = f"{int(number):02d}-"
    for folder in lab_folders():
        if folder.name.startswith(wanted):
            return folder
    raise SystemExit(f"no lab numbered {number}: labs are {', '.join(f.name for f in lab_folders())}")


def student_file_name(folder: Path) -> str:
    """The file the student edits in this lab: views.py, or the lab's one starter file (lab 07: a test file)."""
    names = sorted(path.name for path in (folder / "starter").iterdir() if path.is_file())
    return "views.py" if "views.py" in names or not names else names[0]


def load_checks(folder: Path) -> ModuleType:
    """The lab's checks module: STEPS, and optionally SERVER_SETTINGS for the server the checks start."""
    return import_file(f"labs.checks{folder.name[:2]}", folder / "checks.py")


def database_label(server: LiveServer | NoServer | None) -> str:
    """The database the checks use, named the same on every run of a track (no database name, which changes with
    each server): "SQLite", or "PostgreSQL at host:port". `server`: the running LiveServer, or None for checks
    that start no server (lab 07's run pytest sessions on the database DATABASE_URL names)."""
    if server is None:
        from liveproject import databases

        url = databases.base_database_url() if databases.backend() == "postgresql" else ""
    else:
        url = server.database.url if server.database is not None and server.database.backend == "postgresql" else ""
    if not url:
        return "SQLite"
    parts = urlsplit(url)
    return f"PostgreSQL at {parts.hostname or 'localhost'}:{parts.port or 5432}"


class NoServer:
    """What a lab whose checks need no server (NEEDS_SERVER = False in its checks.py) has for one: no log."""

    database = None

    def log_text(self) -> str:
        return ""


_CHAINED = ("During handling of the above exception", "The above exception was the direct cause")
_FRAME = re.compile(r'^\s+File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<function>\S+)')


def server_exceptions(log: str, *, code_file: Path | None = None, limit: int = 3) -> list[str]:
    """The exceptions a stretch of a server's log records, one line each, most frequent first: `Type: message`,
    where in `code_file` (the lab's code under test) it was raised, and how often, e.g.
    `django.core.exceptions.SynchronousOnlyOperation: You cannot call this from an async context (views.py,
    line 12, in newest_titles_page)`. An exception that another one was raised from, or while handling, is left
    out: the last one of a chain is what the server answered with. `limit` caps how many different ones."""
    lines = log.splitlines()
    found: Counter[str] = Counter()
    index = 0
    while index < len(lines):
        if not lines[index].startswith("Traceback (most recent call last):"):
            index += 1
            continue
        where = None
        index += 1
        while index < len(lines) and (not lines[index] or lines[index][0].isspace()):
            frame = _FRAME.match(lines[index])
            if frame and code_file is not None and _same_file(frame["file"], code_file):
                where = f"{_shown_path(code_file)}, line {frame['line']}, in {frame['function']}"
            index += 1
        if index >= len(lines):
            break
        exception = lines[index].strip()
        following = next((line for line in lines[index + 1 : index + 4] if line.strip()), "")
        if following.startswith(_CHAINED):
            continue  # the cause of the exception that follows, not what the server answered with
        if len(exception) > 300:
            exception = exception[:297] + "..."
        found[exception + (f" ({where})" if where else "")] += 1
    return [text + (f" [{count} times]" if count > 1 else "") for text, count in found.most_common(limit)]


def _shown_path(code_file: Path) -> str:
    """The code's file as the report names it: relative to its lab's folder (starter/views.py), else its name."""
    for folder in lab_folders():
        if code_file.resolve().is_relative_to(folder.resolve()):
            return code_file.resolve().relative_to(folder.resolve()).as_posix()
    return code_file.name


def _same_file(logged: str, code_file: Path) -> bool:
    try:
        return Path(logged).resolve() == code_file.resolve()
    except OSError:
        return False


_SERVER_ERROR = re.compile(r"\b5\d\d\b")


def explain_failure(message: str, server: _LoggingServer, log_start: int, code_file: Path | None) -> str:
    """`message`, followed by what the server logged as exceptions since `log_start` (a 500's cause, which a
    student must not need the server's log to see). The server logs an exception before it answers, but a
    message that reports a 5xx with nothing logged yet gets a moment for the log to catch up."""
    waited_until = time.monotonic() + (0.5 if _SERVER_ERROR.search(message) else 0)
    while True:
        logged = server_exceptions(server.log_text()[log_start:], code_file=code_file)
        if logged or time.monotonic() >= waited_until:
            break
        time.sleep(0.05)
    return "\n".join([message, *(f"the server logged: {exception}" for exception in logged)])


def report_line(line: str) -> None:
    """Print one line of a lab's report. Its PASS and FAIL verdicts are computed here, so they are recorded as
    computed (liveproject.evidence), and a notebook that shows them passes the course's check on typed verdicts."""
    from liveproject.evidence import emit

    emit("lab", line)


def run_checks(
    number: str | int,
    code: str = "student",
    *,
    show: Callable[[str], None] = report_line,
    progress: str | None = None,
    who: str | None = None,
    until: Callable[[str], bool] | None = None,
) -> LabReport:
    """Start the project serving `code` for lab `number`, run every step, print one verdict per step.

    `code`: "student", "starter", "solution", or the path of a file that stands in for the lab's views.py (or,
    in lab 07, its detail_tests.py): a near-miss variant that tests/labs/ expects the checks to fail.
    The first line names the lab, the code and the database the checks use (DATABASE_URL's, or SQLite).
    `progress`: a folder to write the run's result file in (labs/progress.py); by default LAB_PROGRESS_DIR's,
    and none when that is unset. `who`: the name in that file (default: LAB_STUDENT, else the login name).
    `until`: stop after the first failure whose text ("step: message hint") it accepts, leaving the later steps
    unrun. tests/labs/ uses it for near-misses: once a failure names the lesson, the later steps cannot change
    that verdict, so running them would only cost time."""
    from liveproject import LiveServer
    from liveproject.evidence import measured

    folder = find_lab(number)
    checks = load_checks(folder)
    steps = checks.STEPS
    code = str(code)
    report = LabReport(lab=folder.name, code=code)
    started = time.perf_counter()
    kind = code if code in CODES else "variant"
    student_file = student_file_name(folder)
    code_file = code_path(folder, code, student_file)  # where the server's tracebacks point to
    # Ground truth comes from the project's own endpoints, never from the code under test, and the checks
    # never set up Django in this process: they run the same from a terminal, a notebook or a test.
    fixture = getattr(checks, "lab_fixture", None)  # a context manager yielding {"settings": {...}, ...}
    with fixture() if fixture else contextlib.nullcontext({}) as extra:
        served = {"LAB_CODE": code} if code in CODES else {"LAB_CODE": "solution", "LAB_VARIANTS": {folder.name: code}}
        server_settings = {**getattr(checks, "SERVER_SETTINGS", {}), **extra.get("settings", {}), **served}
        options = extra.get("server_options", {})  # e.g. debug, extra_middleware, loggers, workers, env
        server_kind = extra.get("server_kind", "uvicorn")  # lab 08: gunicorn with two UvicornWorker processes
        needs_server = getattr(checks, "NEEDS_SERVER", True)  # lab 07 runs pytest sessions, not a server
        with (
            LiveServer(server_kind, settings=server_settings, **options)
            if needs_server
            else contextlib.nullcontext(NoServer()) as server
        ):
            # The database is the one the server was given; « » because it depends on the track (nbval masks it).
            report.database = database_label(server if needs_server else None)
            database = measured(report.database, "")
            show(f"Lab {folder.name}, checking the {kind} code ({describe(code, student_file)}) on {database}:")
            context = LabContext(server=server, prefix=f"/labs/{folder.name}", code=code, folder=folder, extra=extra)
            for step in steps:
                log_start = len(server.log_text())
                try:
                    step.check(context)
                except AssertionError as failure:  # StepFailed, or a plain assert in a check
                    message = explain_failure(str(failure) or "check failed", server, log_start, code_file)
                    report.results.append((step.name, False, message, step.hint))
                except Exception as error:  # noqa: BLE001 - a crash in a step is that step's failure
                    last = traceback.format_exception_only(error)[-1].strip()
                    report.results.append(
                        (step.name, False, explain_failure(last, server, log_start, code_file), step.hint)
                    )
                else:
                    report.results.append((step.name, True, "", ""))
                name, ok, message, hint = report.results[-1]
                if until is not None and not ok and until(f"{name}: {message} {hint}"):
                    break
    report.seconds = time.perf_counter() - started
    for name, ok, message, hint in report.results:
        show(f"  {'PASS' if ok else 'FAIL'}  {name}")
        if not ok:
            for line in message.splitlines():
                show(f"        {line}")
            show(f"        hint: {hint}")
    done = sum(ok for _, ok, _, _ in report.results)
    show(f"{done} of {len(report.results)} steps pass." + (" Well done." if report.passed else ""))
    # A class's progress (labs/progress.py): from a terminal or a notebook alike, when LAB_PROGRESS_DIR is set.
    progress = os.environ.get("LAB_PROGRESS_DIR", "") if progress is None else progress
    if progress:
        from labs.progress import write_progress

        show(f"result written to {write_progress(report, Path(progress), who=who)}")
    return report


def reset(number: str | int) -> Path:
    """Copy the lab's starter files over the student's copies, keeping each changed one as <name>.bak."""
    folder = find_lab(number)
    for starter in sorted((folder / "starter").iterdir()):
        if not starter.is_file():
            continue
        mine = folder / starter.name
        if mine.exists() and mine.read_bytes() != starter.read_bytes():
            shutil.copyfile(mine, folder / f"{starter.name}.bak")
        shutil.copyfile(starter, mine)
    return folder


def missing_package() -> str | None:
    """The first of the course's packages this Python cannot import (the checks need them), or None."""
    try:
        import liveproject  # noqa: F401 - imports Django, httpx, dj_database_url: what a check needs
    except ModuleNotFoundError as missing:
        return missing.name or str(missing)
    return None


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds like Ctrl+C: the server, sessions and temporary folders are stopped


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m labs", description="Check a lab, start it again, or see progress.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="run a lab's checks against a live server")
    check.add_argument("number", help="the lab's number, e.g. 01")
    which = check.add_mutually_exclusive_group()
    which.add_argument("--solution", action="store_const", dest="code", const="solution", help="the reference")
    which.add_argument("--starter", action="store_const", dest="code", const="starter", help="the starter code")
    which.add_argument(
        "--file", dest="code", metavar="PATH", help="check this file instead of yours (a student's submission)"
    )
    check.add_argument(
        "--progress",
        metavar="FOLDER",
        default=os.environ.get("LAB_PROGRESS_DIR") or None,
        help="also write the result to FOLDER (default: $LAB_PROGRESS_DIR), for `python -m labs progress`",
    )
    check.add_argument("--who", default=None, help="the name in the progress file (default: $LAB_STUDENT or login)")
    reset_command = commands.add_parser("reset", help="put the starter code back (yours is kept as *.bak)")
    reset_command.add_argument("number")
    progress = commands.add_parser("progress", help="a table of the result files in FOLDER")
    progress.add_argument("folder")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    args = parse(argv)
    if args.command == "reset":
        folder = reset(args.number)
        print(f"{folder}: the starter code is back (your previous versions, if different, are kept as *.bak)")
        return 0
    if args.command == "progress":
        from labs.progress import summarise

        print(summarise(Path(args.folder)))
        return 0
    missing = missing_package()
    if missing:
        print(
            f"The checks need the course's packages, and {sys.executable} has no {missing!r}.\n"
            f"Run them with `nox -s lab -- {args.number}` from the course's folder, or run this command with the\n"
            "course's Python: in a terminal of the course's JupyterLab (`nox -s course`), or as .nox/lab/bin/python\n"
            "once `nox -s lab` has made it."
        )
        return 2
    if args.code not in (None, *CODES) and not Path(args.code).is_file():
        print(f"no such file: {args.code}")
        return 2
    code = str(Path(args.code).resolve()) if args.code not in (None, *CODES) else (args.code or "student")
    report = run_checks(args.number, code, progress=args.progress or "", who=args.who)
    return 0 if report.passed else 1
