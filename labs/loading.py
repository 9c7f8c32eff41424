"""Finding the labs and importing a lab's code from its file (lab folders are not Python packages)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import ModuleType

LABS_DIR = Path(__file__).resolve().parent


def lab_folders() -> list[Path]:
    return sorted(folder for folder in LABS_DIR.glob("[0-9][0-9]-*") if folder.is_dir())


CODES = ("student", "starter", "solution")


def code_path(folder: Path, code: str, name: str = "views.py") -> Path:
    """Where `name` lives for the chosen code: the lab folder (student), starter/ or solution/.

    Any other `code` is the path of a file that stands in for `name`: a near-miss variant, the solution with one
    lesson taken out (labs/NN-name/near_misses.py, run by tests/labs/test_near_misses.py), which the checks must fail.
    """
    if code not in CODES:
        return Path(code)
    if code == "student":
        start_from_starter(folder)
        return folder / name
    return folder / code / name


def start_from_starter(folder: Path) -> list[Path]:
    """Give the student their own copy of each starter file they do not have yet; return the copies made.

    The student's files (labs/NN-name/views.py, lab 07's detail_tests.py) are not in git: starter/ is the one
    source of the lab's starting point. A copy is made on first use (the checks, the notebook, the server) and by
    `python -m labs reset NN`; an existing copy, the student's work, is never touched here."""
    made = []
    starter = folder / "starter"
    for file in sorted(starter.iterdir()) if starter.is_dir() else ():
        mine = folder / file.name
        if file.is_file() and not mine.exists():
            mine.write_bytes(file.read_bytes())
            made.append(mine)
    return made


def describe(code: str, name: str = "views.py") -> str:
    """The code under test, as a report names it: views.py, solution/views.py, or a variant's file name."""
    return str(code_path(Path(), code, name)) if code in CODES else Path(code).name


def import_file(name: str, file: Path) -> ModuleType:
    """Import the Python file `file` as a module called `name` (lab folders are not Python packages)."""
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:  # only for a file that is not Python source
        raise ImportError(f"{file} cannot be imported as Python")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_lab_views(folder: Path, code: str) -> ModuleType:
    """Import one lab's views module from its file."""
    return import_file(f"labs.lab{folder.name[:2]}_{code if code in CODES else 'variant'}", code_path(folder, code))
