"""No notebook run leaves a server behind: not a failing one, not one that hangs and gets killed.

nbclient (nbconvert, JupyterLab's "shut down kernel") ends a kernel gracefully, so atexit runs; nbval
SIGKILLs the kernel's process group. Either way the server and its workers must be gone.
"""

import json
import subprocess
import sys
import textwrap

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tests.liveproject.test_server import all_dead

pytestmark = pytest.mark.live  # every test here starts a server or another process

START_AND_RECORD = textwrap.dedent(
    """
    import json
    from liveproject import LiveServer
    server = LiveServer("gunicorn-uvicorn", workers=2).start()
    open({pid_file!r}, "w").write(json.dumps(server.worker_pids()))
    """
)


def notebook(tmp_path, last_cell: str):
    pid_file = tmp_path / "pids.json"
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(START_AND_RECORD.format(pid_file=str(pid_file))),
        nbformat.v4.new_code_cell(last_cell),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "leaky.ipynb"
    nbformat.write(nb, path)
    return path, pid_file


def recorded_pids(pid_file) -> list[int]:
    pids = json.loads(pid_file.read_text())
    assert len(pids) == 3  # gunicorn master and two workers were running
    return pids


def test_nbclient_with_a_failing_cell_leaves_no_server(tmp_path):
    path, pid_file = notebook(tmp_path, "1 / 0")
    client = NotebookClient(
        nbformat.read(path, 4), timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    with pytest.raises(CellExecutionError):
        client.execute()
    assert all_dead(recorded_pids(pid_file))


@pytest.mark.parametrize(("last_cell", "extra"), [
    ("1 / 0", []),
    ("import time; time.sleep(120)", ["--nbval-cell-timeout=8"]),  # hangs: nbval gives up and kills the kernel
])  # fmt: skip
def test_nbval_with_a_failing_or_hanging_cell_leaves_no_server(tmp_path, last_cell, extra):
    path, pid_file = notebook(tmp_path, last_cell)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:django",
         "--nbval", "--nbval-current-env", *extra, str(path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert "1 failed" in result.stdout, result.stdout[-2000:]
    assert all_dead(recorded_pids(pid_file))


FIRST_CELL = textwrap.dedent(
    """
    import json
    from liveproject import LiveServer, stop_all_servers
    stop_all_servers()
    server = LiveServer("uvicorn").start()
    with open({pid_file!r}, "a") as record:
        record.write(json.dumps(server.worker_pids()) + "\\n")
    """
)


def test_running_a_first_cell_again_stops_the_servers_of_its_last_run(tmp_path):
    pid_file = tmp_path / "pids.jsonl"
    source = FIRST_CELL.format(pid_file=str(pid_file))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for _ in range(3)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    alive_after_each_run = []
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
            runs = [json.loads(line) for line in pid_file.read_text().splitlines()]
            # at once, not all_dead(): that one waits up to 10 s for a server that is meant to be running
            alive_after_each_run.append([not all_dead(pids, timeout=0.2) for pids in runs])
    assert alive_after_each_run == [[True], [False, True], [False, False, True]]
    assert all(all_dead(json.loads(line)) for line in pid_file.read_text().splitlines())


def test_stop_all_servers_stops_every_running_server_and_counts_them():
    from liveproject import LiveServer, stop_all_servers

    servers = [LiveServer("trivial").start(), LiveServer("trivial").start()]
    assert stop_all_servers() == 2
    assert not any(server.running for server in servers)
    assert stop_all_servers() == 0
