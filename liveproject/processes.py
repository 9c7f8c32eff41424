"""Start child processes whose life is tied to this one, and stop them with all their descendants.

Three layers make sure no server outlives the notebook or test that started it:

1. The child stays in our process group. nbval and jupyter_client end a kernel by SIGKILLing its whole
   process group, so a server in that group dies with the kernel even though no Python code runs.
2. The child asks Linux for PR_SET_PDEATHSIG: if the thread that started it dies, it gets SIGTERM.
   (gunicorn workers set it too, in liveproject/gunicorn_conf.py, so they follow their master.)
3. `stop_tree()` terminates the process and every descendant it had, and the LiveServer registers an
   `atexit` handler for a normal interpreter exit.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import psutil

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping, Sequence
    from typing import IO

PR_SET_PDEATHSIG = 1

# Resolved in the parent: the child, between fork and exec, must not load libraries or take locks.
_libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True) if sys.platform == "linux" else None


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Ask Linux to send `sig` to this process when its parent thread exits (no-op elsewhere)."""
    if _libc is not None:
        _libc.prctl(PR_SET_PDEATHSIG, sig)


def _raise_file_limit() -> None:
    # A burst of 1000 connections needs more file descriptors than the usual soft limit of 1024.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _prepare_child_tied() -> None:
    die_with_parent(signal.SIGTERM)
    _raise_file_limit()


def tie_to_caller() -> Callable[[], None] | None:
    """A preexec_fn for subprocess that ties the child to the calling thread when that is the main thread (the
    child gets SIGTERM if this process dies, even by SIGKILL), else None. Pass it to subprocess.run/Popen."""
    return _prepare_child_tied if threading.current_thread() is threading.main_thread() else None


# Temporary folders carry the pid of the process that made them, so that what a killed process left can be found.
_SCRATCH_NAME = re.compile(r"liveproject-[a-z0-9-]*?-p(?P<pid>\d+)-[^/]*")


def scratch_folder(purpose: str) -> Path:
    """A new temporary folder for `purpose` (e.g. "uvicorn", "pytest"), named with this process's pid:
    sweep_scratch_folders() removes it once this process is gone, if it was not removed before (a SIGKILL)."""
    return Path(tempfile.mkdtemp(prefix=f"liveproject-{purpose}-p{os.getpid()}-"))


def sweep_scratch_folders() -> list[Path]:
    """Remove the temporary folders (scratch_folder()) of processes that no longer run; return them."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob("*-p*-*"):
        match = _SCRATCH_NAME.fullmatch(folder.name)
        if match and folder.is_dir() and not psutil.pid_exists(int(match["pid"])):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def spawn(
    cmd: Sequence[str],
    *,
    cwd: str | Path,
    env: Mapping[str, str],
    log_file: IO[bytes],
    pass_fds: Collection[int] = (),
    tie_to_this_thread: bool = True,
) -> subprocess.Popen:
    """Start `cmd` in our process group, with stdout and stderr going to `log_file` (never the notebook).

    Linux delivers PR_SET_PDEATHSIG when the *thread* that forked the child exits, so only a caller on a
    long-lived thread (the main thread of a kernel or of pytest) should tie the child to itself.
    """
    return subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        pass_fds=pass_fds,
        # Only prctl/setrlimit run between fork and exec, with libc resolved beforehand.
        preexec_fn=_prepare_child_tied if tie_to_this_thread else _raise_file_limit,  # noqa: PLW1509
    )


def stop_tree(process: subprocess.Popen, *, grace: float = 5.0) -> None:
    """SIGTERM `process` (servers shut down gracefully on it), SIGKILL what is still alive after `grace`."""
    try:
        descendants = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        descendants = []
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
    _, alive = psutil.wait_procs(descendants, timeout=grace)
    for child in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    psutil.wait_procs(alive, timeout=5)


def ensure_file_limit(minimum: int = 4096) -> None:
    """Raise this process's open-file limit (a load generator holds one socket per request)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, minimum)
    if soft < min(minimum, target):
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` and its descendants (live ones), in seconds."""
    total = 0.0
    try:
        root = psutil.Process(pid)
        for proc in [root, *root.children(recursive=True)]:
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
    except psutil.NoSuchProcess:
        pass
    return total


_SPIN = """
import sys, time
start_at, seconds = float(sys.argv[1]), float(sys.argv[2])
while time.monotonic() < start_at:
    time.sleep(0.001)
deadline = time.thread_time() + seconds
while time.thread_time() < deadline:
    pass
print(time.monotonic())
"""


def free_cores(processes: int = 2, seconds: float = 0.1) -> float:
    """How many cores this machine could give a computation right now, between 1 and `processes`.

    `processes` fresh Python processes start spinning at the same moment, each until it has used `seconds` of
    its own CPU time. On free cores they finish together after `seconds`; on one free core they take turns.
    The answer is the CPU time they used divided by the wall time they needed. Chapter 01 measures it before and
    after a CPU-bound comparison, because a speed-up from more processes needs cores that nobody else uses.
    """
    start_at = time.monotonic() + 0.3  # time enough for every interpreter to start and wait at the line
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _SPIN, repr(start_at), repr(seconds)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(processes)
    ]
    try:
        ends = [float(child.communicate(timeout=30)[0]) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    wall = max(ends) - start_at
    return max(1.0, min(float(processes), processes * seconds / wall))


def is_alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


__all__ = ["cpu_seconds", "die_with_parent", "ensure_file_limit", "free_cores", "is_alive", "spawn", "stop_tree"]


def wait_for_line(
    read_lines: Callable[[], list[str]],
    text: str,
    *,
    timeout: float,
    where: str,
    gone: Callable[[], str | None] = lambda: None,
) -> str:
    """The first of `read_lines()` containing `text` (a process's log), read again until it appears or `timeout`
    seconds pass (TimeoutError, naming `where`). `gone()` says why waiting longer is pointless (the process
    exited), or None; when it says so, RuntimeError with that."""
    deadline = time.monotonic() + timeout
    while True:
        for line in read_lines():
            if text in line:
                return line
        if (reason := gone()) is not None:
            raise RuntimeError(reason)
        if time.monotonic() > deadline:
            raise TimeoutError(f"no line containing {text!r} in {where} after {timeout} s")
        time.sleep(0.02)
