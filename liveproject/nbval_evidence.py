"""A pytest plugin for the notebooks nbval runs: a verdict a cell prints must have been computed.

The project's conftest.py loads it for everything under the project (chapters/, labs/); `pytest -p
liveproject.nbval_evidence` loads it anywhere. liveproject.evidence records every line it prints in the file
named by LIVEPROJECT_EVIDENCE_LOG, which this plugin sets for the kernels nbval starts. After each cell, every
line of the cell's fresh output that has the shape of a verdict (a ✓ or ✗, a True or False ending the line,
TRUE, FALSE or MISLEADING, an exercise's "correct") must be in that record. A cell that types
`print("overlapped: True")` fails, however true the statement happens to be.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from liveproject.evidence import RECORD_ENV, VERDICT_SHAPE

if TYPE_CHECKING:
    from collections.abc import Generator, Iterable, Mapping
    from typing import Any


def pytest_configure(config: pytest.Config) -> None:
    if getattr(config.option, "nbval", False):
        config.stash[_folder_key] = Path(tempfile.mkdtemp(prefix="liveproject-evidence-"))


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_folder_key, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


_folder_key = pytest.StashKey[Path]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before nbval starts a notebook's kernel (in the setup of its first cell), give that kernel a record of its
    own: a verdict one notebook computed does not excuse the same words typed in another."""
    from nbval.plugin import IPyNbFile

    folder, notebook = item.config.stash.get(_folder_key, None), item.parent
    if folder is None or not isinstance(notebook, IPyNbFile) or hasattr(notebook, "evidence_record"):
        return
    notebook.evidence_record = folder / f"{len(list(folder.iterdir())):04d}.jsonl"
    notebook.evidence_record.touch()
    os.environ[RECORD_ENV] = str(notebook.evidence_record)  # the kernel about to start inherits it


def output_lines(outputs: Iterable[Mapping[str, Any]] | None) -> list[str]:
    """The text lines of a cell's outputs, as nbval received them (streams and text/plain results)."""
    lines: list[str] = []
    for output in outputs or []:
        text = output.get("text")
        if text is None:
            text = output.get("data", {}).get("text/plain", "")
        if isinstance(text, list):
            text = "".join(text)
        lines += str(text).splitlines()
    return lines


def recorded_lines(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    with path.open(encoding="utf-8") as record:
        return {json.loads(entry)["line"] for entry in record if entry.strip()}


def uncomputed_verdicts(outputs: Iterable[Mapping[str, Any]] | None, recorded: set[str]) -> list[str]:
    return [line for line in output_lines(outputs) if VERDICT_SHAPE.search(line) and line not in recorded]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    result = yield
    outputs = getattr(item, "test_outputs", None)  # nbval's cell items keep the outputs they just received
    path = getattr(item.parent, "evidence_record", None)
    if outputs is not None and path is not None:
        typed = uncomputed_verdicts(outputs, recorded_lines(path))
        if typed:
            pytest.fail(
                "this cell printed a verdict that liveproject.evidence did not compute (print it with check(), "
                "expect(), show() or Claims.judge(), from the measured values):\n" + "\n".join(typed),
                pytrace=False,
            )
    return result
