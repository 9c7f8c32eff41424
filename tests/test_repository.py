"""The repository's own tooling: a notebook change reads as cells and outputs once `nox -s notebook_diffs` ran."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from liveproject.databases import PROJECT_ROOT


def notebook(printed: str) -> str:
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "id": "c1",
        "metadata": {},
        "outputs": [{"name": "stdout", "output_type": "stream", "text": [printed]}],
        "source": ["print('measured')"],
    }
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


@pytest.mark.live
def test_git_diff_shows_a_changed_output_cell_by_cell_with_the_projects_driver(tmp_path):
    git = ["git", "-C", str(tmp_path), "-c", "user.name=course", "-c", "user.email=course@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    (tmp_path / ".gitattributes").write_bytes((PROJECT_ROOT / ".gitattributes").read_bytes())
    (tmp_path / "chapter.ipynb").write_text(notebook("0.21 s\n"))
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "first"], check=True)
    (tmp_path / "chapter.ipynb").write_text(notebook("0.25 s\n"))
    driver = Path(sys.executable).parent / "git-nbdiffdriver"  # what `nox -s notebook_diffs` configures
    configured = [*git, "-c", f"diff.jupyternotebook.command={driver} diff"]
    shown = subprocess.run([*configured, "diff"], capture_output=True, text=True, check=True, timeout=60).stdout
    assert "modified /cells/0/outputs/0/text" in shown, shown  # nbdime names the cell and output that changed
    assert '"outputs"' not in shown  # not the JSON
    raw = subprocess.run([*git, "diff"], capture_output=True, text=True, check=True, timeout=60).stdout
    assert '"text"' in raw  # without the driver configured: the plain JSON diff, as .gitattributes promises


def test_the_pre_commit_hooks_lint_with_the_pinned_ruff_and_mypy():
    pins = dict(
        line.split("==") for line in (PROJECT_ROOT / "requirements.txt").read_text().splitlines() if "==" in line
    )
    config = (PROJECT_ROOT / ".pre-commit-config.yaml").read_text()
    assert config.count("entry: ruff ") == 2  # check and format
    assert config.count(f'additional_dependencies: ["ruff=={pins["ruff"]}"]') == 2
    assert config.count("entry: mypy") == 1
    assert config.count(f'additional_dependencies: ["mypy=={pins["mypy"]}"]') == 1


def test_an_unmarked_test_that_starts_a_process_is_stopped_and_told_how_to_mark_it():
    import subprocess

    with pytest.raises(RuntimeError, match="mark it @pytest.mark.live"):
        subprocess.run(["true"], check=False)
