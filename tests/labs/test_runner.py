"""The lab runner, for every lab: it says which database the checks used, a 500's cause reaches the FAIL message,
`python -m labs check` runs where the docs say and explains itself elsewhere, and `nox -s lab` keeps DATABASE_URL."""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest

from labs.loading import LABS_DIR
from labs.runner import explain_failure, find_lab, run_checks, server_exceptions
from liveproject import databases, processes
from tests.conftest import FakeSession

ROOT = LABS_DIR.parent


def expected_database() -> str:
    """What the report must name on this test run's track (the test reads DATABASE_URL itself)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        return f"PostgreSQL at {parts.hostname}:{parts.port or 5432}"
    return "SQLite"


@pytest.mark.live
def test_a_500_fails_with_the_servers_exception_and_the_report_names_the_database(tmp_path):
    # Lab 05's solution with `request.user` in the async view: its lazy user loads from the database in async
    # code, the server answers 500, and only its log says why. The report must say it.
    solution = (find_lab("05") / "solution" / "views.py").read_text()
    assert solution.count("user = await request.auser()") == 1
    variant = tmp_path / "views.py"
    variant.write_text(solution.replace("user = await request.auser()", "user = request.user"))
    shown = []
    report = run_checks("05", str(variant), show=shown.append)
    assert shown[0] == f"Lab 05-sync-island, checking the variant code (views.py) on «{expected_database()}»:"
    name, ok, message, _ = report.results[1]  # a logged-in user: the session is read from the database
    assert name == "a user who is not staff gets 403", shown
    assert not ok, shown
    assert "got 500" in message, shown
    assert "the server logged: django.core.exceptions.SynchronousOnlyOperation: You cannot call" in message, shown
    assert "(views.py, line" in message
    assert ", in publish)" in message
    assert any("the server logged: django.core.exceptions.SynchronousOnlyOperation" in line for line in shown)


@pytest.mark.live
def test_until_stops_after_the_first_failure_it_accepts_and_runs_no_later_step():
    from labs.runner import load_checks

    steps = [step.name for step in load_checks(find_lab("02")).STEPS]
    shown = []
    report = run_checks("02", "starter", show=shown.append, until=lambda failure: "overlap" in failure)
    assert [name for name, *_ in report.results] == steps[:2], shown  # every starter step fails; step 2 is the one
    assert not report.passed
    assert "overlap" in report.results[-1][0]


LOG = """\
INFO config.access GET /ping/async/ 200 2.1ms id=1
ERROR django.request Internal Server Error: /labs/05-sync-island/articles/x/publish/
Traceback (most recent call last):
  File "/somewhere/site-packages/django/core/handlers/exception.py", line 42, in inner
    response = await get_response(request)
               ^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "{code}", line 40, in publish
    article = await Article.objects.aget(slug=slug)
KeyError: 'slug'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "{code}", line 44, in publish
    raise LookupError("no such article")
LookupError: no such article
INFO config.access POST /labs/05-sync-island/articles/x/publish/ 500 21.5ms id=2
ERROR django.request Internal Server Error: /labs/05-sync-island/articles/y/publish/
Traceback (most recent call last):
  File "{code}", line 44, in publish
    raise LookupError("no such article")
LookupError: no such article
"""


def test_server_exceptions_keeps_what_the_server_answered_with_where_and_how_often(tmp_path):
    code = tmp_path / "views.py"
    found = server_exceptions(LOG.format(code=code), code_file=code)
    assert found == ["LookupError: no such article (views.py, line 44, in publish) [2 times]"]  # not the KeyError
    assert server_exceptions("INFO config.access GET / 200 1.0ms id=1\n", code_file=code) == []


def test_explain_failure_adds_only_what_the_step_logged_and_waits_briefly_for_a_500s_cause(tmp_path):
    code = tmp_path / "views.py"
    log = LOG.format(code=code)

    class FakeServer:
        text = log

        def log_text(self):
            return self.text

    server = FakeServer()
    assert explain_failure("expected 409, got 200", server, len(log), code) == "expected 409, got 200"
    message = explain_failure("expected 404, got 500", server, 0, code)
    assert message.splitlines() == [
        "expected 404, got 500",
        "the server logged: LookupError: no such article (views.py, line 44, in publish) [2 times]",
    ]


@pytest.mark.live
def test_python_m_labs_check_runs_from_any_folder_with_the_course_python(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "labs", "check", "05", "--solution"],
        cwd=tmp_path,  # not the course's folder: the package is installed, the project found from it
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"Lab 05-sync-island, checking the solution code (solution/views.py) on «{expected_database()}»:"
    assert lines[-1].endswith("steps pass. Well done.")


@pytest.mark.live
def test_python_m_labs_check_without_the_course_packages_says_how_to_run_the_checks():
    # A Python without the course's packages (here: one of them made unimportable) gets directions, not a traceback.
    hide = "import runpy, sys; sys.modules['dj_database_url'] = None; runpy.run_module('labs', run_name='__main__')"
    done = subprocess.run(
        [sys.executable, "-c", hide, "check", "05"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "no 'dj_database_url'" in done.stdout
    assert "nox -s lab -- 05" in done.stdout


def test_nox_lab_session_checks_on_the_database_that_database_url_names(noxfile, monkeypatch, tmp_path):
    url = "postgres://postgres@db.example:6543/course"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setattr(
        noxfile.socket, "create_connection", lambda *args, **kwargs: types.SimpleNamespace(close=lambda: None)
    )
    session = FakeSession("05", "--solution", location=tmp_path)
    noxfile.lab(session)
    assert session.runs == [(("python", "-m", "labs", "check", "05", "--solution"), {"DATABASE_URL": url})]

    monkeypatch.delenv("DATABASE_URL")
    session = FakeSession("05", location=tmp_path)
    noxfile.lab(session)
    assert session.runs == [(("python", "-m", "labs", "check", "05"), {"DATABASE_URL": ""})]  # SQLite


def test_nox_lab_session_stops_with_a_message_when_postgresql_is_unreachable(noxfile, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:9/course")  # the discard port: closed

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("refused")

    monkeypatch.setattr(noxfile.socket, "create_connection", refuse)
    session = FakeSession("05")
    with pytest.raises(SystemExit, match="unreachable"):
        noxfile.lab(session)
    assert session.runs == []


def test_a_second_session_in_the_same_environment_installs_nothing_until_a_pin_changes(noxfile, monkeypatch, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    for name in (noxfile.REQUIREMENTS, noxfile.REQUIREMENTS_DJANGO6, "pyproject.toml"):
        (project / name).write_text(f"{name} as pinned\n")
    monkeypatch.setattr(noxfile, "ROOT", project)
    venv = tmp_path / "venv"
    venv.mkdir()

    first, second = FakeSession(location=venv), FakeSession(location=venv)
    noxfile.install(first)
    noxfile.install(second)
    assert len(first.installs) == 3
    assert second.installs == []

    (project / "requirements.txt").write_text("a changed pin\n")
    third = FakeSession(location=venv)
    noxfile.install(third)
    assert len(third.installs) == 3

    # The Django 6.x track's pins are another installation: the stamp of the first does not stand for it.
    fourth = FakeSession(location=venv)
    noxfile.install(fourth, noxfile.REQUIREMENTS_DJANGO6)
    assert fourth.installs[0] == ("-r", "requirements-django6.txt")


def descendants(process) -> list:
    try:
        return psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def command_line(process) -> str:
    """The process's command line, or "" once it has exited: a short-lived child (a migration, a database copy) can
    end between being listed and being asked (psutil's ZombieProcess is a NoSuchProcess)."""
    try:
        return " ".join(process.cmdline())
    except psutil.NoSuchProcess:
        return ""


@pytest.mark.parametrize(
    ("number", "child", "sig"),
    [
        ("07", "pytest", signal.SIGINT),  # Ctrl+C in a terminal
        ("07", "pytest", signal.SIGTERM),
        ("07", "pytest", signal.SIGKILL),
        ("01", "uvicorn", signal.SIGKILL),
    ],
    ids=["lab 07, Ctrl+C", "lab 07, SIGTERM", "lab 07, SIGKILL", "lab 01, SIGKILL"],
)
@pytest.mark.live
def test_killing_the_checker_leaves_no_process_folder_or_database(number, child, sig, tmp_path):
    # Lab 07's checks run the student's tests in pytest sessions: a test that waits a minute keeps one running
    # for as long as the test looks. Lab 01's checks keep their uvicorn running until they end.
    code = ["--solution"]
    if number == "07":
        hanging = tmp_path / "detail_tests.py"
        hanging.write_text("import time\n\n\ndef test_waits():\n    time.sleep(60)\n")
        code = ["--file", str(hanging)]
    checker = subprocess.Popen(
        [sys.executable, "-m", "labs", "check", number, *code],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # the signal goes to the checker alone, as `kill` would send it
        # As a terminal starts it: a run started in the background (`.ci/run &`) ignores SIGINT, and a Python started
        # with SIGINT ignored keeps ignoring it, so Ctrl+C would never reach the checker
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509 - one call, no locks
    )
    try:
        deadline = time.monotonic() + 60
        started = []
        while time.monotonic() < deadline and not started:
            started = [p for p in descendants(checker) if child in command_line(p)]
            time.sleep(0.1)
        assert started, f"the checker of lab {number} never started {child}"
        time.sleep(0.5)  # well inside its work
        left_behind = descendants(checker)
        checker.send_signal(sig)
        checker.wait(timeout=60)  # a loaded machine (load 9 seen) can take long to unwind
    finally:
        if checker.poll() is None:
            checker.kill()
            checker.wait(timeout=10)

    _, alive = psutil.wait_procs(left_behind, timeout=15)
    assert alive == [], [command_line(p) for p in alive]
    mine = re.compile(rf"liveproject-.*-p{checker.pid}-")
    folders = [folder for folder in Path(tempfile.gettempdir()).iterdir() if mine.match(folder.name)]
    if sig == signal.SIGKILL:  # nothing runs in a SIGKILLed process: the next run sweeps what it left
        processes.sweep_scratch_folders()
        databases.drop_orphans()
        folders = [folder for folder in folders if folder.exists()]
    assert folders == []
    if databases.backend() == "postgresql":
        with databases.maintenance_connection() as conn:
            names = [row[0] for row in conn.execute("SELECT datname FROM pg_database").fetchall()]
        assert [name for name in names if f"_{checker.pid}_" in name] == []


def test_a_mistyped_option_is_an_error_not_a_check_of_the_students_code(capsys):
    from labs.runner import main

    with pytest.raises(SystemExit) as stopped:
        main(["check", "01", "--soltion"])
    assert stopped.value.code == 2
    assert "unrecognized arguments: --soltion" in capsys.readouterr().err
