"""TaskWorker: the project's task worker (`manage.py db_worker`) beside a LiveServer, on the server's database.

    with LiveServer("uvicorn") as server, TaskWorker(server) as worker:
        response = server.login().post("/articles/async/article-07/announce/")   # 202: enqueued
        wait_until_finished(server, response.headers["Location"])                # the worker ran it
                                                                                  # leaving the block stops both

The worker runs whatever the server's views enqueue (articles/tasks.py), in a process of its own: it is not the
server, so a server's restart (LiveServer.restart) or shutdown does not touch what it is running or what waits for
it in the database. Stop the worker before the server: stopping the server drops the database. Leaving the `with`
block, stop() or the interpreter's exit stops it: SIGTERM, on which db_worker finishes the task it is running and
exits, then SIGKILL after `grace` seconds.
"""

from __future__ import annotations

import atexit
import contextlib
import subprocess
import sys
import threading
import time
from typing import TYPE_CHECKING

from liveproject import processes
from liveproject.databases import PROJECT_ROOT

if TYPE_CHECKING:
    from pathlib import Path
    from typing import IO

    from liveproject.server import LiveServer

_running: set[TaskWorker] = set()
_running_lock = threading.Lock()


@atexit.register
def stop_all_workers() -> int:
    """Stop every worker this process started that is still running; return how many there were."""
    with _running_lock:
        workers = list(_running)
    for worker in workers:
        worker.stop()
    return len(workers)


FINISHED = ("SUCCESSFUL", "FAILED")


def wait_until_finished(server: LiveServer, location: str, *, timeout: float = 20.0) -> dict:
    """GET `location` (a task's state, e.g. /articles/announcements/<id>/) until the task has finished; its JSON.
    TimeoutError after `timeout` seconds, with the state it was last in."""
    deadline = time.monotonic() + timeout
    client = server.client
    if client is None:
        raise RuntimeError("the server is not running")
    while True:
        state = client.get(location).json()
        if state.get("status") in FINISHED:
            return state
        if time.monotonic() > deadline:
            raise TimeoutError(f"the task is still {state.get('status')} after {timeout} s")
        time.sleep(0.05)


class TaskWorker:
    def __init__(self, server: LiveServer, *, interval: float = 0.05, worker_id: str = "course-worker") -> None:
        """`interval`: how often the worker looks for waiting tasks (db_worker's default is 1 s)."""
        self.server = server
        self.interval = interval
        self.worker_id = worker_id
        self._process: subprocess.Popen | None = None
        self.pid: int | None = None  # the last worker process's, kept after it stopped
        self._log_file: IO[bytes] | None = None
        self._log_path: Path | None = None

    def start(self, *, ready_timeout: float = 30.0) -> TaskWorker:
        if self._process is not None:
            return self
        folder = self.server._folder
        if folder is None or self.server.database is None:
            raise RuntimeError("start the server first: the worker uses its database")
        self._log_path = folder / f"{self.worker_id}.log"
        self._log_file = open(self._log_path, "ab")  # noqa: SIM115 - closed in stop()
        command = [
            sys.executable, "manage.py", "db_worker",
            "--no-reload",  # db_worker reloads on code changes when DEBUG is on: a second process to leak
            "--no-startup-delay",
            "--interval", str(self.interval),
            "--worker-id", self.worker_id,
        ]  # fmt: skip
        self._process = processes.spawn(
            command,
            cwd=PROJECT_ROOT,
            env=self.server.django_env(),
            log_file=self._log_file,
            tie_to_this_thread=threading.current_thread() is threading.main_thread(),
        )
        self.pid = self._process.pid
        with _running_lock:
            _running.add(self)
        try:
            self.wait_for_log("Starting worker", timeout=ready_timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, *, grace: float = 10.0) -> None:
        """SIGTERM (db_worker finishes the task it is running, then exits), SIGKILL after `grace`. Safe to repeat."""
        with _running_lock:
            _running.discard(self)
        process, self._process = self._process, None
        if process is not None:
            processes.stop_tree(process, grace=grace)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def __enter__(self) -> TaskWorker:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<TaskWorker {'running' if self.running else 'stopped'}>"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def log_lines(self, containing: str | None = None) -> list[str]:
        lines: list[str] = []
        with contextlib.suppress(OSError):
            lines = self._log_path.read_text(errors="replace").splitlines() if self._log_path else []
        return [line for line in lines if containing in line] if containing else lines

    def wait_for_log(self, text: str, *, timeout: float = 10.0) -> str:
        """The first line of the worker's log containing `text`, waiting up to `timeout` seconds for it."""

        def gone() -> str | None:
            if self._process is None or self._process.poll() is None:
                return None
            return f"the worker exited (code {self._process.returncode}):\n{self.log_text()[-3000:]}"

        return processes.wait_for_line(self.log_lines, text, timeout=timeout, where="the worker's log", gone=gone)

    def log_text(self) -> str:
        return "\n".join(self.log_lines())
