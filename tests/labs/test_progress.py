"""Progress files: each check run can leave one, and `python -m labs progress FOLDER` summarises a folder of them."""

import datetime as dt
import json
from pathlib import Path

import pytest

from labs import runner
from labs.progress import read_results, summarise, write_progress
from labs.runner import LabReport


def report(lab, passed: list[bool], code="student", database="SQLite") -> LabReport:
    steps = [(f"step {n}", ok, "" if ok else "why", "" if ok else "hint") for n, ok in enumerate(passed, start=1)]
    return LabReport(lab=lab, code=code, results=steps, seconds=4.25, database=database)


def at(minute: int) -> dt.datetime:
    return dt.datetime(2026, 11, 30, 10, minute, tzinfo=dt.UTC)


def test_a_result_file_holds_the_steps_and_no_messages(tmp_path):
    path = write_progress(report("01-async-report", [True, False]), tmp_path, who="ada lovelace", now=at(5))
    assert path.name == "ada-lovelace_01_20261130T100500000000.json"
    record = json.loads(path.read_text())
    assert record == {
        "lab": "01-async-report",
        "who": "ada lovelace",
        "code": "student",
        "database": "SQLite",
        "finished": "2026-11-30T10:05:00+00:00",
        "seconds": 4.2,
        "steps": [{"name": "step 1", "passed": True}, {"name": "step 2", "passed": False}],
    }
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_the_table_shows_each_persons_latest_and_best_run(tmp_path):
    write_progress(report("01-async-report", [True, False, False]), tmp_path, who="ada", now=at(1))
    write_progress(report("01-async-report", [True, True, True]), tmp_path, who="ada", now=at(2))
    write_progress(report("01-async-report", [True, True, False]), tmp_path, who="ada", now=at(3))  # a regression
    write_progress(
        report("02-async-cbv", [False, False]),
        tmp_path,
        who="bob",
        now=at(4),
    )
    write_progress(report("01-async-report", [True] * 3, code="solution"), tmp_path, who="teacher", now=at(0))
    (tmp_path / "broken.json").write_text("{not json")
    table = summarise(tmp_path).splitlines()
    assert table[0].split() == ["who", "lab", "code", "latest", "best", "runs", "last", "run", "(UTC)", "database",
                                "failing", "now"]  # fmt: skip
    ada = next(line for line in table if line.startswith("ada "))
    assert ada.split()[:6] == ["ada", "01-async-report", "student", "2/3", "3/3", "3"]
    assert ada.split()[-3:] == ["SQLite", "step", "3"]
    bob = next(line for line in table if line.startswith("bob "))
    assert bob.split()[3:5] == ["0/2", "0/2"]
    assert bob.endswith("step 1 (+1)")
    teacher = next(line for line in table if line.startswith("teacher "))
    assert teacher.split()[2:4] == ["solution", "3/3"]
    assert "done" in teacher
    assert table[-2] == f"3 person-lab pairs, 1 done; 5 runs in {tmp_path}"
    assert table[-1] == "1 file(s) could not be read: broken.json"
    assert len(read_results(tmp_path)[0]) == 5


def test_an_empty_or_missing_folder_says_so(tmp_path):
    assert summarise(tmp_path) == f"{tmp_path}: no result files yet"
    assert summarise(tmp_path / "nowhere") == f"{tmp_path / 'nowhere'}: no such folder"


def test_check_with_progress_writes_the_run_and_progress_prints_the_table(tmp_path, monkeypatch, capsys):
    ran = []

    def fake_run_checks(number, code, *, progress, who):
        ran.append((number, code))
        done = report("04-stack-audit", [True, False], database="PostgreSQL at 127.0.0.1:5432")
        print(f"result written to {write_progress(done, Path(progress), who=who)}")
        return done

    monkeypatch.setattr(runner, "run_checks", fake_run_checks)
    monkeypatch.setenv("LAB_STUDENT", "grace")
    monkeypatch.setenv("LAB_PROGRESS_DIR", str(tmp_path))
    assert runner.main(["check", "04"]) == 1
    assert ran == [("04", "student")]
    assert runner.main(["progress", str(tmp_path)]) == 0
    shown = capsys.readouterr().out
    assert "result written to " + str(tmp_path) in shown
    assert "grace  04-stack-audit  student  1/2" in shown
    assert "PostgreSQL at 127.0.0.1:5432" in shown


@pytest.mark.live
def test_a_check_run_in_a_notebook_writes_its_result_when_lab_progress_dir_is_set(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_PROGRESS_DIR", str(tmp_path))
    monkeypatch.setenv("LAB_STUDENT", "ada")
    shown = []
    done = runner.run_checks("03", "solution", show=shown.append)  # as a notebook calls it: no progress argument
    assert done.passed
    assert shown[-1].startswith(f"result written to {tmp_path}")
    (record,), _ = read_results(tmp_path)
    assert (record["who"], record["lab"], record["code"]) == ("ada", "03-sync-only", "solution")
    assert record["passed_steps"] == record["total_steps"] == len(done.results)
