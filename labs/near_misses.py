"""Near-misses: a lab's reference solution with one lesson taken out, as a sloppy student would write it.

Each lab may keep a `near_misses.py` beside its checks, with NEAR_MISSES = [NearMiss(...), ...]. A near-miss is made
from the solution by replacing text, so it follows the solution as that changes (a replacement that no longer
applies fails loudly). tests/labs/test_near_misses.py runs the lab's checks on each one: they must fail, with a
message that names the lesson. INSTRUCTOR.md's "typical mistakes" are the same mistakes, shown to fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from labs.loading import code_path, import_file, lab_folders


@dataclass(frozen=True)
class NearMiss:
    name: str  # what the sloppy student did
    replacements: tuple[tuple[str, str], ...]  # (text in the solution, what the near-miss has instead)
    lesson: str  # a phrase the failure message (or its hint) must contain: the lesson that was taken out
    file: str = "views.py"
    # True when the checks catch it through something SQLite and PostgreSQL do differently (row locks, where NULLs
    # sort, rows another connection wrote): tests/labs/ runs it on both tracks, the others on SQLite only.
    differs_by_database: bool = False
    # True when the checks catch it through something Django 6 changed (request.auser() and logging in, django.tasks
    # in place of the backport, a stream through the middleware, lazy loads) or is said to have changed (transactions
    # in async code): tests/labs/ runs it on the Django 6.x track too; the others run on the two 5.2 tracks only.
    differs_by_django: bool = False

    def write(self, lab_folder: Path, into: Path) -> Path:
        """Write this near-miss of `lab_folder`'s solution into the folder `into`; return the file's path."""
        source = code_path(lab_folder, "solution", self.file).read_text()
        for old, new in self.replacements:
            if source.count(old) != 1:
                raise ValueError(f"{self.name}: the solution does not contain {old!r} exactly once")
            source = source.replace(old, new)
        path = into / self.file
        path.write_text(source)
        return path


def near_misses() -> list[tuple[Path, NearMiss]]:
    """(lab folder, near-miss) for every near-miss of every lab."""
    found = []
    for folder in lab_folders():
        module_file = folder / "near_misses.py"
        if module_file.is_file():
            module = import_file(f"labs.near_misses{folder.name[:2]}", module_file)
            found += [(folder, near_miss) for near_miss in module.NEAR_MISSES]
    return found
