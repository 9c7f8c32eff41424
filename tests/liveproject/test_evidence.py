"""liveproject.evidence prints measured values masked for nbval and verdicts it computed, and the nbval plugin fails
a notebook cell that prints a verdict of its own."""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from liveproject import evidence
from liveproject.databases import PROJECT_ROOT
from liveproject.nbval_evidence import uncomputed_verdicts

SANITIZER = (PROJECT_ROOT / "nbval_sanitize.cfg").read_text()


def sanitize(text: str) -> str:
    """Apply nbval_sanitize.cfg as nbval does (regex/replace pairs, in order)."""
    pairs = re.findall(r"^regex: (.*)\nreplace: (.*)$", SANITIZER, flags=re.M)
    for regex, replace in pairs:
        text = re.sub(regex, replace, text)
    return text


@pytest.fixture
def record(tmp_path, monkeypatch):
    path = tmp_path / "evidence.jsonl"
    monkeypatch.setenv(evidence.RECORD_ENV, str(path))
    return path


def recorded(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.2134, "s", "«0.21 s»"),
        (0.000213, "µs", "«213 µs»"),
        (0.00347, "ms", "«3.5 ms»"),
        (2.04, "x", "«2.04×»"),
        (0.4, "%", "«40%»"),
        (17, "", "«17»"),
        ("sqlite", "s", "«sqlite»"),
        ('invalid connection option "MAX_CONNS"\n', "", '«invalid connection option "MAX_CONNS"»'),
    ],
)
def test_measured_formats_each_unit_between_guillemets(value, unit, text):
    assert evidence.measured(value, unit) == text


def test_the_sanitizer_masks_measured_values_and_nothing_else():
    line = "4 waits: «0.81 s» (predicted 0.80 s; checked 0.78 s ≤ value < 1.60 s) ✓"
    assert sanitize(line) == "4 waits: «measured» (predicted 0.80 s; checked 0.78 s ≤ value < 1.60 s) ✓"
    assert sanitize(evidence.measured(0.2, width=9)) == sanitize(evidence.measured(12.5, width=9))


def test_check_prints_value_prediction_and_bound_and_records_the_line(record, capsys):
    evidence.check("4 waits", 0.81, predicted=0.8, at_least=0.78, below=1.6)
    line = capsys.readouterr().out.strip()
    assert line == "4 waits: «0.81 s» (predicted 0.8 s; checked 0.78 s ≤ value < 1.6 s) ✓"
    assert [entry["line"] for entry in recorded(record)] == [line]


def test_predictions_and_bounds_derived_from_a_measurement_are_masked_too(record, capsys):
    limit = evidence.Measured(0.2 + 20 * 0.0047)
    evidence.check("uvicorn N=20", 0.3, predicted=limit, at_least=0.196, below=evidence.Measured(2 * limit))
    line = capsys.readouterr().out.strip()
    assert line == "uvicorn N=20: «0.30 s» (predicted «0.29 s»; checked 0.196 s ≤ value < «0.59 s») ✓"


def test_check_shows_a_value_outside_its_bound_then_raises(record, capsys):
    with pytest.raises(evidence.EvidenceError, match="✗"):
        evidence.check("overlapped", 1.2, below=0.6)
    assert capsys.readouterr().out.strip() == "overlapped: «1.20 s» (checked value < 0.6 s) ✗"


def test_check_that_does_not_apply_says_why_inside_the_mask(record, capsys):
    evidence.check("speed-up", 1.1, unit="x", at_least=1.5, when=False, unless="one core was busy")
    out = capsys.readouterr().out.strip()
    assert out.endswith("«not checked: one core was busy»")
    assert sanitize(out) == "speed-up: «measured» (checked 1.5× ≤ value) «measured»"
    with pytest.raises(ValueError, match="needs a bound"):
        evidence.check("no bound", 1.0)


def test_expect_prints_deterministic_outcomes_unmasked(record, capsys):
    evidence.expect("crossings", 15, 15)
    with pytest.raises(evidence.EvidenceError):
        evidence.expect("statuses", {200: 3}, {200: 4})
    assert capsys.readouterr().out.splitlines() == ["crossings: 15 ✓", "statuses: {200: 3} ✗ (expected {200: 4})"]


def test_expect_by_track_shows_both_tracks_masks_this_ones_value_and_holds_it_to_its_own(record, capsys):
    both = {"sqlite": {200: 8}, "postgresql": {503: 8}}
    evidence.expect_by_track("other requests", Counter({200: 8}), both, track="sqlite")
    evidence.expect_by_track("other requests", Counter({503: 8}), both, track="postgresql")
    with pytest.raises(evidence.EvidenceError):
        evidence.expect_by_track("other requests", Counter({200: 8}), both, track="postgresql")
    with pytest.raises(ValueError, match="no expectation for the mysql track"):
        evidence.expect_by_track("other requests", 1, both, track="mysql")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "other requests: «{200: 8}» (expected on sqlite: {200: 8}; postgresql: {503: 8}) ✓"
    assert sanitize(lines[0]) == sanitize(lines[1])  # the two tracks' outputs compare equal under nbval
    assert lines[2].endswith("✗")
    assert [entry["kind"] for entry in recorded(record)] == ["expect"] * 3


def test_expect_by_version_shows_both_versions_masks_this_ones_value_and_holds_it_to_its_own(record, capsys):
    both = {"5.2": False, "6": True}
    evidence.expect_by_version("AsyncPaginator exists", False, both, version="5.2")
    evidence.expect_by_version("AsyncPaginator exists", True, both, version="6.1")
    with pytest.raises(evidence.EvidenceError):
        evidence.expect_by_version("AsyncPaginator exists", True, both, version="5.2")
    with pytest.raises(ValueError, match="no expectation for Django 4.2"):
        evidence.expect_by_version("AsyncPaginator exists", False, both, version="4.2")
    with pytest.raises(ValueError, match="no expectation for Django 6.10"):  # "6.1" does not begin "6.10"
        evidence.expect_by_version("x", 1, {"6.1": 1}, version="6.10")
    evidence.expect_by_version("a 6.1 change", 1, {"5.2": 0, "6": 0, "6.1": 1}, version="6.1")  # the longest key
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "AsyncPaginator exists: «False» (expected on Django 5.2: False; 6.x: True) ✓"
    assert sanitize(lines[0]) == sanitize(lines[1])  # the two versions' outputs compare equal under nbval
    assert lines[2].endswith("✗")
    assert lines[3].endswith("✓")
    assert [entry["kind"] for entry in recorded(record)] == ["expect"] * 4
    assert evidence.django_track((6, 1, 3, "final", 0)) == "6.1"


def test_claims_compute_their_verdict_from_the_parts(record, capsys):
    claims = evidence.Claims()
    claims.judge("aall() exists", {"QuerySet has aall": False}, evidence="§2", fix="async for")
    claims.judge("async is faster", {"waits overlap": True, "less CPU": False}, evidence="", fix="")
    claims.judge("asend exists", {"Signal has asend": True}, evidence="", fix="")
    assert [answer for _, answer, *_ in claims.rows] == ["FALSE", "MISLEADING", "TRUE"]
    assert claims.counts() == {"FALSE": 1, "MISLEADING": 1, "TRUE": 1}
    out = capsys.readouterr().out
    assert "FALSE: aall() exists\n  does not hold: QuerySet has aall\n  fix: async for" in out
    assert all(line in {entry["line"] for entry in recorded(record)} for line in out.splitlines())


def test_typed_verdicts_are_told_apart_from_recorded_ones(record, capsys):
    evidence.show("view_is_async", True)
    lines = {entry["line"] for entry in recorded(record)}
    outputs = [
        {"output_type": "stream", "name": "stdout", "text": "view_is_async: True\noverlapped: True\n"},
        {"output_type": "execute_result", "data": {"text/plain": "FALSE: made up"}},
        {"output_type": "stream", "name": "stdout", "text": "{'ok': True, 'n': 3}\nplain text\n"},
    ]
    assert uncomputed_verdicts(outputs, lines) == ["overlapped: True", "FALSE: made up"]


def _notebook(tmp_path, name, *sources) -> Path:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
    path = tmp_path / name
    nbformat.write(notebook, path)
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace", str(path)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return path


@pytest.mark.live
def test_nbval_fails_a_cell_that_types_its_verdict_and_passes_one_that_computes_it(tmp_path):
    computed = _notebook(
        tmp_path,
        "computed.ipynb",
        "from liveproject.evidence import check, show\ncheck('overlapped', 0.2, below=0.6)",
        "show('copied', True)",
    )
    typed = _notebook(
        tmp_path,
        "typed.ipynb",
        "print('overlapped:', 0.2 < 0.6)",
        "print('overlapped: True')",
        "print('copied: True')",  # the other notebook computed these words: that does not excuse this one
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "liveproject.nbval_evidence", "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", str(PROJECT_ROOT / "nbval_sanitize.cfg"), "-p", "no:cacheprovider",
         "-o", "addopts=", "--rootdir", str(tmp_path), str(computed), str(typed), "-rA"],
        cwd=tmp_path, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    report = done.stdout
    assert re.search(r"PASSED .*computed.ipynb::Cell 0", report), report
    assert re.search(r"PASSED .*computed.ipynb::Cell 1", report), report
    for cell in (0, 1, 2):  # computed in the cell, but printed by hand; typed; typed
        assert re.search(rf"FAILED .*typed.ipynb::Cell {cell}", report), report
    assert "printed a verdict that liveproject.evidence did not compute" in report
