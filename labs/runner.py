"""Run a lab's checks against a live server and say, step by step, what passes and what to look at next.

    python -m labs check 01              your code (labs/01-async-report/views.py)
    python -m labs check 01 --solution   the reference solution
    python -m labs reset 01              put the starter code back (your versions are kept as *.bak)

Each lab's checks.py defines STEPS, a list of Step(name, check, hint). A check receives a LabContext with a
running server serving the chosen code; it fails by raising StepFailed (or AssertionError) with a message.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import shutil
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from labs.loading import CODE_FILES, lab_folders


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

    def source(self) -> str:
        """The code under test, as text (for checks on how it is written, such as `async def`)."""
        return (self.folder / CODE_FILES[self.code]).read_text()

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

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(ok for _, ok, _, _ in self.results)

    @property
    def failed_steps(self) -> list[str]:
        return [name for name, ok, _, _ in self.results if not ok]


def find_lab(number) -> Path:
    wanted = f"{int(number):02d}-"
    for folder in lab_folders():
        if folder.name.startswith(wanted):
            return folder
    raise SystemExit(f"no lab numbered {number}: labs are {', '.join(f.name for f in lab_folders())}")


def load_checks(folder: Path):
    """The lab's checks module: STEPS, and optionally SERVER_SETTINGS for the server the checks start."""
    spec = importlib.util.spec_from_file_location(f"labs.checks{folder.name[:2]}", folder / "checks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def report_line(line: str) -> None:
    """Print one line of a lab's report. Its PASS and FAIL verdicts are computed here, so they are recorded as
    computed (liveproject.evidence), and a notebook that shows them passes the course's check on typed verdicts."""
    from liveproject.evidence import emit

    emit("lab", line)


def run_checks(number, code: str = "student", *, show: Callable[[str], None] = report_line) -> LabReport:
    """Start the project serving `code` for lab `number`, run every step, print one verdict per step."""
    from liveproject import LiveServer

    folder = find_lab(number)
    checks = load_checks(folder)
    steps = checks.STEPS
    report = LabReport(lab=folder.name, code=code)
    started = time.perf_counter()
    show(f"Lab {folder.name}, checking the {code} code ({CODE_FILES[code]}):")
    # Ground truth comes from the project's own endpoints, never from the code under test, and the checks
    # never set up Django in this process: they run the same from a terminal, a notebook or a test.
    fixture = getattr(checks, "lab_fixture", None)  # a context manager yielding {"settings": {...}, ...}
    with fixture() if fixture else contextlib.nullcontext({}) as extra:
        server_settings = {**getattr(checks, "SERVER_SETTINGS", {}), **extra.get("settings", {}), "LAB_CODE": code}
        options = extra.get("server_options", {})  # e.g. debug, extra_middleware, loggers
        with LiveServer("uvicorn", settings=server_settings, **options) as server:
            context = LabContext(server=server, prefix=f"/labs/{folder.name}", code=code, folder=folder, extra=extra)
            for step in steps:
                try:
                    step.check(context)
                except AssertionError as failure:  # StepFailed, or a plain assert in a check
                    report.results.append((step.name, False, str(failure) or "check failed", step.hint))
                except Exception as error:  # noqa: BLE001 - a crash in a step is that step's failure
                    last = traceback.format_exception_only(error)[-1].strip()
                    report.results.append((step.name, False, last, step.hint))
                else:
                    report.results.append((step.name, True, "", ""))
    report.seconds = time.perf_counter() - started
    for name, ok, message, hint in report.results:
        show(f"  {'PASS' if ok else 'FAIL'}  {name}")
        if not ok:
            show(f"        {message}")
            show(f"        hint: {hint}")
    done = sum(ok for _, ok, _, _ in report.results)
    show(f"{done} of {len(report.results)} steps pass." + (" Well done." if report.passed else ""))
    return report


def reset(number) -> Path:
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


def main(argv: list[str]) -> int:
    usage = "usage: python -m labs check NN [--solution | --starter] | python -m labs reset NN"
    if len(argv) < 2 or argv[0] not in ("check", "reset"):
        print(usage)
        return 2
    if argv[0] == "reset":
        folder = reset(argv[1])
        print(f"{folder}: the starter code is back (your previous versions, if different, are kept as *.bak)")
        return 0
    code = "solution" if "--solution" in argv else "starter" if "--starter" in argv else "student"
    return 0 if run_checks(argv[1], code).passed else 1
