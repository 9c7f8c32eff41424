"""LiveServer.restart() and TaskWorker: a task enqueued by a view survives the server's restart and is run by the
worker; an asyncio task a view created does not. Both processes are stopped whatever happens."""

import time

import httpx
import psutil
import pytest

from liveproject import LiveServer
from liveproject.tasks import TaskWorker, wait_until_finished

pytestmark = pytest.mark.live  # every test here starts a server and a worker


def wait_for_status(server, location, wanted, timeout=15.0) -> dict:
    deadline = time.monotonic() + timeout
    while (state := server.client.get(location).json())["status"] != wanted:
        assert time.monotonic() < deadline, f"still {state} after {timeout} s"
        time.sleep(0.05)
    return state


def test_an_enqueued_task_survives_a_restart_that_loses_a_create_task():
    with LiveServer("uvicorn") as server:
        editor = server.login()
        location = editor.post("/articles/async/article-07/announce/").headers["Location"]
        fire_and_forget_id = server.client.get("/background/fire-and-forget/").headers["X-Request-Id"]
        server.wait_for_log(f"background {fire_and_forget_id} started")
        database = server.database_url
        server.restart()  # within the 0.5 s the background task needed
        assert server.database_url == database
        # the same session cookie still logs in: the session is in the database, the secret key is the server's
        with httpx.Client(base_url=server.url, headers=editor.headers, timeout=5) as same_session:
            assert same_session.get("/auth/whoami/").json()["username"] == "editor"
        assert server.client.get(location).json()["status"] == "READY"  # waited in the database
        with pytest.raises(TimeoutError, match="still READY"):  # no worker yet: nothing runs it
            wait_until_finished(server, location, timeout=0.3)
        with TaskWorker(server):
            done = wait_until_finished(server, location)
        assert (done["status"], done["return_value"]["slug"]) == ("SUCCESSFUL", "article-07")
        time.sleep(0.6)  # longer than the background task would have taken
        assert server.log_lines(f"background {fire_and_forget_id} done") == []  # lost with the old process


def test_a_worker_stopped_mid_task_finishes_it_first():
    with LiveServer("uvicorn") as server, TaskWorker(server) as worker:
        location = server.login().post("/articles/async/article-07/announce/?work_seconds=1").headers["Location"]
        wait_for_status(server, location, "RUNNING")
        worker.stop()  # SIGTERM: db_worker shuts down gracefully, after the task it is running
        assert server.client.get(location).json()["status"] == "SUCCESSFUL"


def test_the_worker_is_stopped_when_the_block_fails():
    with LiveServer("uvicorn") as server:
        worker = TaskWorker(server)

        def a_cell_that_fails():
            with worker:
                raise RuntimeError("a cell failed")

        with pytest.raises(RuntimeError, match="a cell failed"):
            a_cell_that_fails()
        assert worker.log_lines("Starting worker")  # it did start
        assert not worker.running
        assert not psutil.pid_exists(worker.pid) or psutil.Process(worker.pid).status() == psutil.STATUS_ZOMBIE


def test_a_worker_needs_a_started_server():
    with pytest.raises(RuntimeError, match="start the server first"):
        TaskWorker(LiveServer("uvicorn")).start()


def test_stop_all_servers_stops_the_workers_first():
    from liveproject import stop_all_servers

    server = LiveServer("uvicorn").start()
    worker = TaskWorker(server).start()
    assert stop_all_servers() >= 1
    assert not worker.running
    assert not server.running
