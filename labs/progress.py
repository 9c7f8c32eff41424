"""A class's progress: each check run can leave a small result file, and one command turns a folder of them into
a table.

    LAB_PROGRESS_DIR=/shared/class-a LAB_STUDENT=ada nox -s lab -- 01     (or: python -m labs check 01 --progress F)
    python -m labs progress /shared/class-a

A result file is JSON, one per run: the lab, who ran it, which code and database, when, how long the checks took,
and each step's name and PASS or FAIL (no code, no messages). It is written whole or not at all (a temporary file,
then a rename), so an instructor reading the folder while students run their checks never sees half a file.
The folder can be anything the class shares: a synced folder, a network share, a directory on the lab machine.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import re
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labs.runner import LabReport

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def who_runs() -> str:
    """The name a result file carries: LAB_STUDENT if set, else the login name."""
    return os.environ.get("LAB_STUDENT") or getpass.getuser()


def write_progress(report: LabReport, folder: Path, *, who: str | None = None, now: dt.datetime | None = None) -> Path:
    """Write `report` (a labs.runner.LabReport) as a result file in `folder`; return its path."""
    who = who or who_runs()
    now = now or dt.datetime.now(dt.UTC)
    record = {
        "lab": report.lab,
        "who": who,
        "code": report.code if report.code in ("student", "starter", "solution") else "file",
        "database": report.database,
        "finished": now.isoformat(timespec="seconds"),
        "seconds": round(report.seconds, 1),
        "steps": [{"name": name, "passed": bool(ok)} for name, ok, _, _ in report.results],
    }
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{_UNSAFE.sub('-', who)}_{report.lab[:2]}_{now.strftime('%Y%m%dT%H%M%S%f')}.json"
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".writing-", suffix=".tmp")
    with os.fdopen(handle, "w") as file:
        json.dump(record, file, indent=1)
    path = folder / name
    os.replace(temporary, path)
    return path


def read_results(folder: Path) -> tuple[list[dict], list[str]]:
    """Every result file in `folder` (oldest first), and the names of files that could not be read."""
    results, unreadable = [], []
    for path in sorted(folder.glob("*.json")):
        try:
            record = json.loads(path.read_text())
            record["passed_steps"] = sum(step["passed"] for step in record["steps"])
            record["total_steps"] = len(record["steps"])
            dt.datetime.fromisoformat(record["finished"])
            record["lab"], record["who"]  # noqa: B018 - required fields
        except (OSError, ValueError, KeyError, TypeError):
            unreadable.append(path.name)
            continue
        results.append(record)
    results.sort(key=lambda record: record["finished"])
    return results, unreadable


def summarise(folder: Path) -> str:
    """A table with one row per person and lab: the latest run's steps, the best run, how many runs, when, where.

    Runs of the reference solution or starter (an instructor's demo) are listed apart from the students' own."""
    if not folder.is_dir():
        return f"{folder}: no such folder"
    results, unreadable = read_results(folder)
    if not results:
        return f"{folder}: no result files yet" + (f" ({len(unreadable)} unreadable)" if unreadable else "")
    runs = defaultdict(list)
    for record in results:
        runs[(record["who"], record["lab"], record["code"])].append(record)
    header = ["who", "lab", "code", "latest", "best", "runs", "last run (UTC)", "database", "failing now"]
    rows = []
    for (who, lab, code), records in sorted(runs.items()):
        latest = records[-1]
        best = max(records, key=lambda record: record["passed_steps"])
        failing = [step["name"] for step in latest["steps"] if not step["passed"]]
        rows.append(
            [
                who,
                lab,
                code,
                f"{latest['passed_steps']}/{latest['total_steps']}" + (" done" if not failing else ""),
                f"{best['passed_steps']}/{best['total_steps']}",
                str(len(records)),
                latest["finished"][:16].replace("T", " "),
                latest["database"],
                failing[0] + (f" (+{len(failing) - 1})" if len(failing) > 1 else "") if failing else "",
            ]
        )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    done = sum(1 for row in rows if row[3].endswith("done"))
    lines.append(f"{len(rows)} person-lab pairs, {done} done; {len(results)} runs in {folder}")
    if unreadable:
        lines.append(f"{len(unreadable)} file(s) could not be read: {', '.join(unreadable[:5])}")
    return "\n".join(lines)
