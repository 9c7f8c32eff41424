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
