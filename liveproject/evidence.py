"""Measured numbers and computed verdicts, printed so that a student sees them and strict nbval still compares
everything else a cell prints.

A measured value is printed between guillemets, «0.21 s». It was measured on the machine that ran the notebook
and changes from run to run, so `nbval_sanitize.cfg` masks exactly what stands between « and »; every other
character of the line is compared. A check prints the measured value next to its prediction and the bound it is
held to, then asserts the bound:

    from liveproject.evidence import check, expect, measured, show

    check("4 waits on one sync worker", batch.wall, predicted=0.8, at_least=0.78, below=1.6)
    # 4 waits on one sync worker: «0.81 s» (predicted 0.8 s; checked 0.78 s ≤ value < 1.6 s) ✓

    expect("thread crossings, default stack", len(hops), 15)   # deterministic: printed as is, compared by nbval
    show("as_view() returns a coroutine function", iscoroutinefunction(view))

Every line these functions print is also recorded (when LIVEPROJECT_EVIDENCE_LOG names a file, as the test
suite arranges), so a test can tell a verdict the helper computed from one a cell typed: every verdict-shaped
line in a notebook's output must be found in the record (see `VERDICT_SHAPE`, liveproject/nbval_evidence.py and
tests/liveproject/test_evidence.py).
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from collections.abc import Mapping

OPEN, CLOSE = "«", "»"
PASSED, FAILED = "✓", "✗"
RECORD_ENV = "LIVEPROJECT_EVIDENCE_LOG"

# A printed line that states an outcome. Each one must come from this module (or an exercise check, which
# reports through it): liveproject/nbval_evidence.py fails a notebook cell that prints one it did not compute.
VERDICT_SHAPE = re.compile(
    rf"[{PASSED}{FAILED}]"  # a check's mark
    r"|\b(?:True|False)\s*$"  # a boolean at the end of a line
    r"|\b(?:TRUE|FALSE|MISLEADING|PARTLY)\b"  # a claim's verdict
    r"|^Exercise \d+\.\d+: (?:correct|not yet)"  # an exercise check
)

_UNITS = {  # unit -> (factor from the value given in seconds or as a plain number, decimals, suffix)
    "s": (1, 2, " s"),
    "ms": (1e3, 1, " ms"),
    "µs": (1e6, 0, " µs"),
    "x": (1, 2, "×"),
    "KB": (1 / 1024, 0, " KB"),  # memory, given in bytes
    "MB": (1 / 1024**2, 1, " MB"),
    "%": (100, 0, "%"),
    "": (1, 0, ""),
}


class Measured(float):
    """A number derived from a measurement, used as a prediction or a bound: printed inside « » like a measured
    value. `predicted=Measured(0.2 + n * cpu_per_request)`; arithmetic gives plain floats, so wrap the result."""


class EvidenceError(AssertionError):
    """A measurement fell outside the bound the course checks it against."""


def _format(value: object, unit: str, digits: int | None) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return " ".join(str(value).split())  # one line: the sanitizer masks « » within a line
    if unit not in _UNITS:
        raise ValueError(f"unit must be one of {sorted(_UNITS)}, not {unit!r}")
    factor, decimals, suffix = _UNITS[unit]
    if digits is not None:
        decimals = digits
    scaled = value * factor
    if math.isnan(scaled):
        return "nan"
    return f"{scaled:.{decimals}f}{suffix}"


def _format_fixed(value: object, unit: str) -> str:
    """A prediction or a bound: a number the course chose, printed as short as it is (0.098 s, 2000 ms)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return str(value)
    if isinstance(value, Measured):
        return measured(float(value), unit)
    factor, _, suffix = _UNITS[unit]
    text = f"{value * factor:.6f}".rstrip("0").rstrip(".")
    return f"{text}{suffix}"


def measured(value: object, unit: str = "s", *, digits: int | None = None, width: int = 0) -> str:
    """A measured value as the notebooks print it: «0.21 s». Values are given in seconds for the time units
    ("s", "ms", "µs"), in bytes for "KB" and "MB", as a fraction for "%", as a ratio for "x", as is for "" (counts).

    `width` pads inside the guillemets, so that columns of a table stay aligned whatever was measured.
    """
    return f"{OPEN}{_format(value, unit, digits):>{width}}{CLOSE}"


def _record(kind: str, line: str, **facts: object) -> None:
    path = os.environ.get(RECORD_ENV)
    if not path:
        return
    entry = {"kind": kind, "line": line, **{key: repr(value) for key, value in facts.items()}}
    with open(path, "a", encoding="utf-8") as record:
        record.write(json.dumps(entry, ensure_ascii=False) + "\n")


def emit(kind: str, line: str, **facts: object) -> None:
    """Record `line` with the facts it was computed from, then print it (every helper here prints through this)."""
    for part in line.splitlines() or [""]:
        _record(kind, part, **facts)
    print(line)


def _bound_text(
    unit: str, at_least: float | None, above: float | None, below: float | None, at_most: float | None
) -> str:
    def fmt(value: float | None) -> str:
        return _format_fixed(value, unit)

    low = f"{fmt(at_least)} ≤ " if at_least is not None else f"{fmt(above)} < " if above is not None else ""
    high = f" < {fmt(below)}" if below is not None else f" ≤ {fmt(at_most)}" if at_most is not None else ""
    return f"{low}value{high}"


def check(
    label: str,
    value: float,
    *,
    unit: str = "s",
    digits: int | None = None,
    predicted: float | None = None,
    at_least: float | None = None,
    above: float | None = None,
    below: float | None = None,
    at_most: float | None = None,
    detail: str = "",
    when: bool = True,
    unless: str = "",
) -> None:
    """Print `label: «value» (predicted …; checked low ≤ value < high) ✓` and assert the bound.

    The line is printed first, so a value outside its bound is shown with ✗ before the AssertionError.
    `detail` adds measured context in the parentheses (use `measured()` for its numbers).
    `when=False` shows the value but does not hold it to the bound, and says why with `unless` (for a
    condition of the machine, such as a second core that is busy): the reason is printed inside « », since
    whether it applies was measured too.
    """
    if all(bound is None for bound in (at_least, above, below, at_most)):
        raise ValueError("check() needs a bound: at_least, above, below or at_most")
    inside = (
        not (isinstance(value, float) and math.isnan(value))
        and (at_least is None or value >= at_least)
        and (above is None or value > above)
        and (below is None or value < below)
        and (at_most is None or value <= at_most)
    )
    parts = []
    if predicted is not None:
        parts.append(f"predicted {_format_fixed(predicted, unit)}")
    parts.append(f"checked {_bound_text(unit, at_least, above, below, at_most)}")
    if detail:
        parts.append(detail)
    if unless:  # whether the bound applied depends on the machine: the mark is measured too, so it is masked
        mark = f" {OPEN}{(PASSED if inside else FAILED) if when else 'not checked: ' + unless}{CLOSE}"
    else:
        mark = f" {PASSED if inside else FAILED}"
    line = f"{label}: {measured(value, unit, digits=digits)} ({'; '.join(parts)}){mark}"
    emit("check", line, value=value, inside=inside, applied=when)
    if when and not inside:
        raise EvidenceError(line)


def expect(label: str, value: object, expected: object) -> None:
    """A deterministic outcome (a count, a status, a list): printed as is, so nbval compares it, and asserted."""
    ok = value == expected
    shown: object
    if isinstance(value, Mapping):
        shown = dict(value) if not isinstance(value, Counter) else dict(sorted(value.items(), key=repr))
    else:
        shown = value
    line = f"{label}: {shown}" + (f" {PASSED}" if ok else f" {FAILED} (expected {expected})")
    emit("expect", line, value=value, expected=expected)
    if not ok:
        raise EvidenceError(line)


def expect_by_track(label: str, value: object, expected: Mapping[str, object], *, track: str | None = None) -> None:
    """A deterministic outcome that differs between the database tracks (`expected`: backend -> outcome, e.g.
    {"sqlite": 200, "postgresql": 503}). Printed with what each track gives, so a reader on one track sees the
    other's too; this track's value is printed inside « » (the other track prints another) and asserted.
    `track`: the backend to hold it to; by default this process's (liveproject.databases.backend())."""
    from liveproject.databases import backend

    track = track or backend()
    if track not in expected:
        raise ValueError(f"no expectation for the {track} track in {sorted(expected)}")
    tracks = "; ".join(f"{name}: {want}" for name, want in expected.items())
    _expect_on_this_one(label, value, expected[track], tracks, track=track)


def _expect_on_this_one(label: str, value: object, want: object, every: str, **recorded: str) -> None:
    """What expect_by_track and expect_by_version share: print `value` inside « » with what each track or version
    expects (`every`), record it, and raise unless it is `want`, this one's."""
    ok = value == want
    shown = dict(sorted(value.items(), key=repr)) if isinstance(value, Counter) else value
    line = f"{label}: {measured(shown, '')} (expected on {every}) {PASSED if ok else FAILED}"
    emit("expect", line, value=value, expected=want, **recorded)
    if not ok:
        raise EvidenceError(line)


def django_track(version: tuple | None = None) -> str:
    """The Django this process runs, as the course's tracks name it: "5.2" or "6.1" (major.minor)."""
    if version is None:
        import django

        version = django.VERSION
    return f"{version[0]}.{version[1]}"


def expected_for_version(version: str, expected: Mapping[str, object]) -> object:
    """The outcome `expected` gives for Django `version` ("6.1"): its key "6.1", else "6" (the longest that matches)."""
    matching = [key for key in expected if version == key or version.startswith(f"{key}.")]
    if not matching:
        raise ValueError(f"no expectation for Django {version} in {sorted(expected)}")
    return expected[max(matching, key=len)]


def expect_by_version(label: str, value: object, expected: Mapping[str, object], *, version: str | None = None) -> None:
    """A deterministic outcome that differs between Django versions (`expected`: version -> outcome, e.g.
    {"5.2": False, "6": True}; a key matches the versions it begins, so "6" stands for 6.0 and 6.1, and the longest
    matching key wins). Printed with what each version gives, so a reader on one track sees the other's too; this
    version's value is printed inside « » and asserted. `version`: "major.minor" to hold it to; by default the
    installed Django's (django_track())."""
    version = version or django_track()
    versions = "; ".join(f"{key if key.count('.') else key + '.x'}: {outcome}" for key, outcome in expected.items())
    _expect_on_this_one(label, value, expected_for_version(version, expected), f"Django {versions}", version=version)


def show(label: str, value: object) -> None:
    """An observed fact, printed as `label: value` (a boolean Django computed, an outcome, a name)."""
    emit("show", f"{label}: {value}", value=value)


# --- Claims and their verdicts (chapter 10) -------------------------------------------------------------


def verdict_of(parts: Mapping[str, bool]) -> str:
    """TRUE when every part of a claim held, FALSE when none did, MISLEADING when some did and some did not."""
    if not parts:
        raise ValueError("a verdict needs at least one tested part of the claim")
    held = [bool(value) for value in parts.values()]
    return "TRUE" if all(held) else "FALSE" if not any(held) else "MISLEADING"


class Claims:
    """The claims a notebook tested, with the verdict computed from what each part measured."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, dict, str, str]] = []

    def judge(self, claim: str, parts: Mapping[str, bool], *, evidence: str, fix: str) -> None:
        """Print the verdict on `claim`, computed from `parts`: each testable part of the claim -> whether the
        measurement in the cell bore it out. The verdict is kept for `table()` and `counts()`."""
        answer = verdict_of(parts)
        self.rows.append((claim, answer, dict(parts), evidence, fix))
        lines = [f"{answer}: {claim}"]
        lines += [f"  {'holds' if held else 'does not hold'}: {part}" for part, held in parts.items()]
        lines.append(f"  fix: {fix}")
        emit("verdict", "\n".join(lines), claim=claim, parts=dict(parts), answer=answer)

    def table(self) -> None:
        print("| claim | verdict | evidence | fix |\n|---|---|---|---|")
        for claim, answer, _, evidence, fix in self.rows:
            emit("verdict-table", f"| {claim} | {answer} | {evidence} | {fix} |", answer=answer)

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(answer for _, answer, _, _, _ in self.rows).items()))
