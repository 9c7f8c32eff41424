"""What Django's own commands do with a settings change before any server serves it: `manage.py check`, and
the system checks `runserver` runs at start. Chapter 03 runs both with a URLconf that cannot load
(liveproject/broken_urls/mixed_handlers.py), next to uvicorn and gunicorn, which start and fail per request.

    run = manage_py("check", settings={"ROOT_URLCONF": "liveproject.broken_urls.mixed_handlers"})
    run.returncode, run.last_line        # 1, 'django.core.exceptions.ImproperlyConfigured: ...'
    start = runserver_start(settings={"ROOT_URLCONF": "liveproject.broken_urls.mixed_handlers"})
    start.still_running, start.answered_http

Each command runs in a subprocess with a timeout, with the project's settings plus the changes given (a small
settings module in a temporary folder, as LiveServer writes one) and a throwaway SQLite database, so nothing
touches the course's databases. Whatever happens, the process and its children are stopped before the
function returns.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from liveproject import databases, processes

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import IO

PROJECT_ROOT = databases.PROJECT_ROOT
# runserver's own lines: what it prints once it serves, and when its main thread died at start.
RUNSERVER_SERVING = "Starting development server at"
RUNSERVER_DIED = "Exception in thread django-main-thread"


@dataclass(frozen=True)
class CommandRun:
    """One run of a manage.py command: how it ended and what it printed (stdout and stderr together)."""

    args: tuple[str, ...]
    returncode: int | None  # None: the process was still running when it was stopped
    output: str
    answered_http: bool | None = None  # runserver only: did its port answer an HTTP request

    @property
    def still_running(self) -> bool:
        return self.returncode is None

    @property
    def lines(self) -> list[str]:
        return self.output.splitlines()

    @property
    def last_line(self) -> str:
        """The last non-empty line: for a command that died of an exception, the exception itself."""
        return next((line for line in reversed(self.lines) if line.strip()), "")

    def summary_lines(self) -> list[str]:
        """The output without traceback frames (the indented lines and the source lines under them), and without
        the tracebacks chained after an exception (Django 6 re-raises a failed check `from` the first error: "The
        above exception was the direct cause...", another traceback, the same error again)."""
        summary, chained = [], False
        for line in self.lines:
            if not line.strip() or line.startswith(" "):
                continue
            if line.startswith(("The above exception was", "During handling of the above exception")):
                chained = True
            elif chained and not line.startswith("Traceback"):
                chained = False  # the chained traceback's own exception line: left out with it
            elif not chained:
                summary.append(line)
        return summary


def _settings_module(folder: Path, settings: dict) -> str:
    lines = [
        '"""The project\'s settings with the changes one manage.py command runs with."""',
        "",
        "from config.settings import *  # noqa: F403",
        "",
    ]
    for name, value in settings.items():
        if not name.isupper() or not name.isidentifier():
            raise ValueError(f"settings names are UPPER_CASE identifiers, not {name!r}")
        lines.append(f"{name} = {value!r}")
    (folder / "command_settings.py").write_text("\n".join(lines) + "\n")
    return "command_settings"


def _environment(folder: Path, settings: dict) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": _settings_module(folder, settings),
        "DATABASE_URL": f"sqlite:///{folder / 'unused.sqlite3'}",  # never the course's databases
        "DJANGO_DEBUG": "1",  # development commands, as a developer runs them
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": os.pathsep.join([str(folder), str(PROJECT_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
    }


def _spawn(args: Sequence[str], folder: Path, settings: dict, log_file: IO[bytes]) -> subprocess.Popen:
    return processes.spawn(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=_environment(folder, settings),
        log_file=log_file,
        tie_to_this_thread=threading.current_thread() is threading.main_thread(),
    )


def manage_py(*args: str, settings: dict | None = None, timeout: float = 60.0) -> CommandRun:
    """Run `manage.py <args>` with the project's settings plus `settings`; wait up to `timeout` seconds."""
    folder = Path(tempfile.mkdtemp(prefix="liveproject-command-"))
    process = None
    try:
        with open(folder / "output.log", "wb") as log_file:
            process = _spawn(args, folder, settings or {}, log_file)
            try:
                returncode = process.wait(timeout)
            except subprocess.TimeoutExpired:
                returncode = None
            finally:
                processes.stop_tree(process)
        return CommandRun(tuple(args), returncode, (folder / "output.log").read_text(errors="replace"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def runserver_start(*, settings: dict | None = None, timeout: float = 30.0, settle: float = 0.3) -> CommandRun:
    """Start `manage.py runserver` as a developer does (system checks on, autoreloader on) and watch its start.

    Waits until it serves, its main thread dies, or the process exits (at most `timeout` seconds), then until
    its output has been still for `settle` seconds (a traceback is complete), asks its port for
    /ping/async/ once, and stops it with all its children. `returncode` is None when it was still running.
    """
    folder = Path(tempfile.mkdtemp(prefix="liveproject-runserver-"))
    port = _free_port()
    output_path = folder / "output.log"
    process = None
    try:
        with open(output_path, "wb") as log_file:
            process = _spawn(["runserver", f"127.0.0.1:{port}"], folder, settings or {}, log_file)
            try:
                deadline = time.monotonic() + timeout
                seen, still_since = "", time.monotonic()
                while time.monotonic() < deadline and process.poll() is None:
                    text = output_path.read_text(errors="replace")
                    if text != seen:
                        seen, still_since = text, time.monotonic()
                    started = RUNSERVER_SERVING in text or RUNSERVER_DIED in text
                    if started and time.monotonic() - still_since >= settle:
                        break
                    time.sleep(0.02)
                answered = _answers_http(port) if process.poll() is None else False
                returncode = process.poll()
            finally:
                processes.stop_tree(process)
        return CommandRun(
            ("runserver", "127.0.0.1:<port>"), returncode, output_path.read_text(errors="replace"), answered
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _answers_http(port: int, *, attempts: int = 10) -> bool:
    """Whether anything answers HTTP on the port; a server that is starting gets a few tries."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=2.0) as client:
        for _ in range(attempts):
            try:
                client.get("/ping/async/")
                return True
            except httpx.TransportError:
                time.sleep(0.05)
    return False
