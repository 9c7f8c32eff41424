"""What every chapter and lab notebook must be, read from the files (nbval executes them; this reads them).

The nbval plugin (liveproject/nbval_evidence.py) catches a verdict a cell prints without computing it. These
tests catch the other way to fake one: handing the evidence helpers a constant instead of a measurement.
"""

import ast
import json
import re
from pathlib import Path

import pytest

from liveproject.databases import PROJECT_ROOT

NOTEBOOKS = sorted(
    path.relative_to(PROJECT_ROOT).as_posix()
    for folder in ("chapters", "labs")
    for path in (PROJECT_ROOT / folder).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in path.parts
)
CHAPTERS = [path for path in NOTEBOOKS if path.startswith("chapters/")]
# The argument that carries the evidence, by helper: check(label, VALUE), expect(label, VALUE, expected),
# show(label, VALUE), Claims.judge(claim, PARTS).
EVIDENCE_ARGUMENT = {"check": 1, "expect": 1, "show": 1, "judge": 1}


def cells(path, kind="code"):
    notebook = json.loads((PROJECT_ROOT / path).read_text())
    return [cell for cell in notebook["cells"] if cell["cell_type"] == kind]


def source(cell) -> str:
    return "".join(cell["source"])


def starts_servers(path) -> bool:
    """Whether a lab notebook starts a server: it names LiveServer, or runs the checks of a lab that needs one."""
    from labs.runner import find_lab, load_checks

    code = "\n".join(source(cell) for cell in cells(path))
    lab = Path(path).parent.name
    return "LiveServer" in code or getattr(load_checks(find_lab(lab[:2])), "NEEDS_SERVER", True)


def python_of(cell) -> ast.Module | None:
    """The cell as Python, without IPython's magics (%%testfile cells hold a file's text, not code to run)."""
    text = source(cell)
    if text.lstrip().startswith("%%"):
        return None
    text = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in text.splitlines())
    return ast.parse(text)


def constant_evidence(tree: ast.Module) -> list[str]:
    """Calls of the evidence helpers whose evidence is a constant written in the cell."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        index = EVIDENCE_ARGUMENT.get(name)
        if index is None or len(node.args) <= index:
            continue
        argument = node.args[index]
        values = argument.values if isinstance(argument, ast.Dict) else [argument]
        if all(isinstance(value, ast.Constant) for value in values):
            found.append(ast.unparse(node)[:100])
    return found


def typed_prints(tree: ast.Module) -> list[str]:
    """print() calls whose own text ends in a verdict: print("overlapped: True")."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
            for argument in node.args:
                if isinstance(argument, ast.JoinedStr) and argument.values:  # an f-string: its typed ending
                    argument = argument.values[-1]
                typed = isinstance(argument, ast.Constant) and isinstance(argument.value, str)
                if typed and re.search(r"(True|False|TRUE|FALSE|MISLEADING|correct)\s*$", argument.value):
                    found.append(ast.unparse(node)[:100])
    return found


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_no_evidence_helper_is_handed_a_constant(path):
    faked = [call for cell in cells(path) if (tree := python_of(cell)) for call in constant_evidence(tree)]
    faked += [call for cell in cells(path) if (tree := python_of(cell)) for call in typed_prints(tree)]
    assert faked == [], f"{path}: evidence must be measured or computed in the cell, not typed: {faked}"


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_committed_executed_top_to_bottom(path):
    counts = [cell.get("execution_count") for cell in cells(path) if source(cell).strip()]
    assert None not in counts, f"{path}: a cell was never executed; refresh it with nox -s execute"
    assert counts == sorted(counts), f"{path}: cells were not executed top to bottom"


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_stored_outputs_carry_nothing_machine_specific(path):
    notebook = json.loads((PROJECT_ROOT / path).read_text())
    assert "version" not in notebook["metadata"].get("language_info", {}), f"{path}: refresh it with nox -s execute"
    for cell in notebook["cells"]:  # figures are palette PNGs (liveproject.plots.small_png), not RGBA
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            assert png is None or png_colour_type(png) == 3, f"{path}: a figure not stored with small_png"


def png_colour_type(encoded) -> int:
    """The colour type byte of a base64 PNG's header: 3 for a palette, 6 for RGBA."""
    import base64

    raw = base64.b64decode("".join(encoded) if isinstance(encoded, list) else encoded)
    return raw[25]


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_the_first_cell_stops_what_an_earlier_run_of_it_started(path):
    if path.startswith("labs/") and not starts_servers(path):
        pytest.skip("this lab notebook starts no server: its work runs in pytest sessions that end with each call")
    first = source(cells(path)[0])
    assert "stop_all_servers()" in first, f"{path}: a second run of the first cell would leave servers running"


@pytest.mark.parametrize("path", CHAPTERS)
def test_each_chapter_links_the_django_documentation_it_relies_on(path):
    prose = "\n".join(source(cell) for cell in cells(path, "markdown"))
    assert re.search(r"https://docs\.djangoproject\.com/en/5\.2/", prose), f"{path}: no Django 5.2 docs link"


def test_the_static_checks_catch_what_they_are_for():
    faked = ast.parse(
        'check("wall", 0.2, below=0.6)\nshow("async", True)\nexpect("n", 15, 15)\n'
        'claims.judge("aall exists", {"has aall": False}, evidence="", fix="")\nprint("overlapped: True")\n'
        'print(f"N={n}: as predicted: True")\n'
    )
    assert len(constant_evidence(faked)) == 4
    assert len(typed_prints(faked)) == 2
    measured = ast.parse('check("wall", batch.wall, below=0.6)\nshow("async", iscoroutinefunction(view))\n')
    assert constant_evidence(measured) == []
    assert typed_prints(measured) == []
