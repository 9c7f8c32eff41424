"""Every lab's checks fail on its starter code and pass on its reference solution; the lab machinery is safe."""

import asyncio
import shutil
import subprocess

import pytest
from django.test import RequestFactory
from django.urls import Resolver404, resolve

from labs import loading
from labs.loading import lab_folders
from labs.runner import reset, run_checks

LABS = [folder.name for folder in lab_folders()]


@pytest.mark.parametrize("lab", LABS)
@pytest.mark.live
def test_checks_fail_on_the_starter_with_a_hint_for_every_failure(lab):
    # That they pass on the solution is shown by the lab's notebook, whose last check runs them on it and asserts
    # it (strict nbval compares each PASS line); the next test holds every lab notebook to that.
    shown = []
    starter = run_checks(lab[:2], "starter", show=shown.append)
    assert starter.results, shown
    assert not starter.passed, shown
    assert all(hint for _, ok, _, hint in starter.results if not ok)  # every failure comes with a hint


@pytest.mark.parametrize("lab", LABS)
def test_the_lab_notebook_shows_the_solution_passing_and_compares_what_it_printed(lab):
    import json

    cells = json.loads((loading.LABS_DIR / lab / "lab.ipynb").read_text())["cells"]
    runs = [
        "".join(cell["source"])
        for cell in cells
        if cell["cell_type"] == "code" and f'run_checks("{lab[:2]}", "solution"' in "".join(cell["source"])
    ]
    assert len(runs) == 1, "one cell runs the checks on the reference solution"
    assert "assert reference.passed" in runs[0]
    assert "NBVAL_IGNORE_OUTPUT" not in runs[0], "its PASS lines are compared by strict nbval"
    assert 'progress=""' in runs[0], "the reference run never writes into a class's progress folder"


@pytest.mark.parametrize("lab", LABS)
def test_each_lab_has_its_files(lab):
    folder = loading.LABS_DIR / lab
    for name in ("README.md", "INSTRUCTOR.md", "lab.ipynb", "checks.py"):
        assert (folder / name).is_file(), name
    starter_files = sorted(path.name for path in (folder / "starter").iterdir() if path.is_file())
    assert starter_files, "a lab needs starter code"
    for name in starter_files:  # a reference solution of every starter file
        assert (folder / "solution" / name).is_file(), name
    assert "Time:" in (folder / "README.md").read_text()


@pytest.mark.parametrize("lab", LABS)
@pytest.mark.live
def test_the_students_file_is_not_in_git_and_is_made_from_the_starter_on_first_use(lab, tmp_path):
    folder = loading.LABS_DIR / lab
    starter_files = sorted(path.name for path in (folder / "starter").iterdir() if path.is_file())
    tracked = subprocess.run(
        ["git", "ls-files", "--", *starter_files], cwd=folder, capture_output=True, text=True, check=True
    ).stdout.split()
    assert tracked == [], "the student's copy is made from starter/, not kept in git beside it"
    copy = tmp_path / lab
    shutil.copytree(folder / "starter", copy / "starter")
    first = loading.code_path(copy, "student", starter_files[0])  # what the server, checks and notebook ask for
    assert first.read_bytes() == (copy / "starter" / starter_files[0]).read_bytes()
    first.write_text("# my work\n")
    assert loading.start_from_starter(copy) == []  # the student's work is never overwritten
    assert first.read_text() == "# my work\n"


@pytest.fixture
def scratch_labs(tmp_path, monkeypatch):
    for lab in LABS:
        shutil.copytree(loading.LABS_DIR / lab, tmp_path / lab)
    monkeypatch.setattr(loading, "LABS_DIR", tmp_path)
    return tmp_path


def test_reset_puts_the_starter_back_and_keeps_the_students_version(scratch_labs):
    folder = scratch_labs / LABS[0]
    (folder / "views.py").write_text("# my work in progress\n")
    assert reset(LABS[0][:2]) == folder
    assert (folder / "views.py").read_text() == (folder / "starter" / "views.py").read_text()
    assert (folder / "views.py.bak").read_text() == "# my work in progress\n"


def test_a_lab_that_does_not_import_answers_500_with_the_reason_and_the_others_still_work(scratch_labs):
    from labs.urls import build_urlpatterns

    (scratch_labs / LABS[0] / "views.py").write_text("def broken(:\n")
    (scratch_labs / LABS[1] / "views.py").write_text("urlpatterns = []\n")  # a lab that imports fine
    urlconf = type("urlconf", (), {"urlpatterns": build_urlpatterns("student")})
    match = resolve(f"/{LABS[0]}/anything/", urlconf=urlconf)
    response = asyncio.run(match.func(RequestFactory().get("/"), **match.kwargs))
    assert response.status_code == 500
    assert b"did not import: SyntaxError" in response.content
    with pytest.raises(Resolver404):  # the other lab imported normally: its own URLs, no catch-all error view
        resolve(f"/{LABS[1]}/no-such-path/", urlconf=urlconf)


def test_lab_03_approach_checks_tell_the_two_fixes_apart(tmp_path):
    from labs.runner import LabContext, StepFailed, find_lab, load_checks

    checks = load_checks(find_lab("03"))
    solution = (find_lab("03") / "solution" / "views.py").read_text()
    swapped = solution.replace(
        'async for article in newest().select_related("author")  # one query, authors included',
        "for article in await sync_to_async(list)(newest().select_related('author'))",
    )
    (tmp_path / "views.py").write_text(swapped)
    context = LabContext(server=None, prefix="", code="student", folder=tmp_path)
    with pytest.raises(StepFailed, match="not sync_to_async"):
        checks.async_orm_approach(context)
    checks.sync_function_approach(context)  # the other endpoint is still right
    (tmp_path / "views.py").write_text(solution.replace("await sync_to_async(newest_as_dicts)()", "[]"))
    with pytest.raises(StepFailed, match="sync_to_async"):
        checks.sync_function_approach(context)


@pytest.mark.parametrize("lab", LABS)
def test_a_lab_notebook_runs_the_checks_of_its_own_lab(lab):
    import json
    import re

    cells = json.loads((loading.LABS_DIR / lab / "lab.ipynb").read_text())["cells"]
    code = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
    numbers = re.findall(r"\b(?:run_checks|find_lab)\(\s*\"?(\d+)", code)
    assert numbers, "the notebook runs its lab's checks"
    assert {int(number) for number in numbers} == {int(lab[:2])}, numbers
