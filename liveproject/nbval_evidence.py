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
import tempfile
from pathlib import Path

import pytest

from liveproject.evidence import RECORD_ENV, VERDICT_SHAPE


def pytest_configure(config):
    if getattr(config.option, "nbval", False) and not os.environ.get(RECORD_ENV):
        handle, path = tempfile.mkstemp(prefix="liveproject-evidence-", suffix=".jsonl")
        os.close(handle)
        os.environ[RECORD_ENV] = path  # the kernels nbval starts inherit this environment
        config.stash[_record_key] = Path(path)


def pytest_unconfigure(config):
    path = config.stash.get(_record_key, None)
    if path is not None:
        path.unlink(missing_ok=True)
        os.environ.pop(RECORD_ENV, None)


_record_key = pytest.StashKey[Path]()


def output_lines(outputs) -> list[str]:
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


def uncomputed_verdicts(outputs, recorded: set[str]) -> list[str]:
    return [line for line in output_lines(outputs) if VERDICT_SHAPE.search(line) and line not in recorded]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    outputs = getattr(item, "test_outputs", None)  # nbval's cell items keep the outputs they just received
    path = item.config.stash.get(_record_key, None)
    if outputs is not None and path is not None:
        typed = uncomputed_verdicts(outputs, recorded_lines(path))
        if typed:
            pytest.fail(
                "this cell printed a verdict that liveproject.evidence did not compute (print it with check(), "
                "expect(), show() or Claims.judge(), from the measured values):\n" + "\n".join(typed),
                pytrace=False,
            )
    return result
