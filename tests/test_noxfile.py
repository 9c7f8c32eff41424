"""The noxfile's sessions run what the README says, with `nox -s NAME -- ARGS` passed through as written."""

import pytest

from tests.conftest import FakeSession

OPTIONS = ["--nbval", "--nbval-current-env", "--nbval-sanitize-with", "nbval_sanitize.cfg", "--nbval-cell-timeout=180"]


class Recorder(FakeSession):
    def run(self, *args, env=None, **kwargs):
        if args[:1] == ("pytest",):
            self.runs.append((list(args[1:]), env))


@pytest.mark.parametrize(
    ("session_name", "posargs", "expected"),
    [
        ("tests", [], [*OPTIONS, "tests", "chapters", "labs"]),
        ("tests", ["tests/config", "-k", "middleware"], [*OPTIONS, "tests/config", "-k", "middleware"]),
        ("tests", ["-k", "middleware"], [*OPTIONS, "-k", "middleware", "tests", "chapters", "labs"]),
        ("tests", ["--lf"], [*OPTIONS, "--lf", "tests", "chapters", "labs"]),
        ("tests_django6", [], [*OPTIONS, "tests", "chapters", "labs"]),
        ("fast", [], [*OPTIONS, "-m", "not live", "tests"]),
        ("fast", ["tests/pages"], [*OPTIONS, "-m", "not live", "tests/pages"]),
        ("live", [], [*OPTIONS, "-m", "live", "tests"]),
        ("notebooks", [], [*OPTIONS, "chapters", "labs"]),
        ("notebooks", ["chapters/00-start-here.ipynb"], [*OPTIONS, "chapters/00-start-here.ipynb"]),
    ],
)
def test_a_session_runs_pytest_with_its_targets_unless_a_path_is_named(
    noxfile, tmp_path, session_name, posargs, expected
):
    session = Recorder(*posargs, location=tmp_path)
    getattr(noxfile, session_name)(session)
    assert session.runs == [(expected, {"DATABASE_URL": ""})]


class Installer(FakeSession):
    def run_install(self, *args, **kwargs):
        self.installs.append((args, kwargs.get("external")))


@pytest.mark.parametrize(("root", "expected"), [(True, ["update", "install"]), (False, [])])
def test_chromium_nginx_openssl_and_pgbouncer_are_installed_where_the_machine_allows_it(
    noxfile, monkeypatch, root, expected
):
    monkeypatch.setattr(noxfile.shutil, "which", lambda name: "/usr/bin/apt-get" if name == "apt-get" else None)
    monkeypatch.setattr(noxfile.os, "geteuid", lambda: 0 if root else 1000)
    session = Installer()
    noxfile.debian_tools(session)
    assert [args[1] for args, _ in session.installs] == expected
    assert all(args[0] == "apt-get" and external for args, external in session.installs)
    if root:
        assert session.installs[-1][0][-4:] == ("chromium", "nginx", "openssl", "pgbouncer")


def test_a_machine_with_every_debian_tool_installs_nothing(noxfile, monkeypatch):
    monkeypatch.setattr(noxfile.shutil, "which", lambda name: f"/usr/bin/{name}")
    session = Installer()
    noxfile.debian_tools(session)
    assert session.installs == []


def test_only_what_is_missing_is_installed(noxfile, monkeypatch):
    monkeypatch.setattr(noxfile.shutil, "which", lambda name: None if "nginx" in name else f"/usr/bin/{name}")
    monkeypatch.setattr(noxfile.os, "geteuid", lambda: 0)
    session = Installer()
    noxfile.debian_tools(session)
    assert session.installs[-1][0][-1] == "nginx"
    assert "chromium" not in session.installs[-1][0]


def test_the_django6_track_installs_its_own_pins(noxfile, tmp_path):
    session = Recorder(location=tmp_path)
    noxfile.tests_django6(session)
    assert session.installs[0] == ("-r", "requirements-django6.txt")
    # and Django 5.2 with the tasks backport, at requirements.txt's pins, in a folder beside it (chapter 13)
    overlay = next(args for args in session.installs if "--target" in args)
    assert overlay[overlay.index("--target") + 1] == str(tmp_path / "django-5.2")
    pinned = set((noxfile.ROOT / "requirements.txt").read_text().splitlines())
    assert {arg.split("==")[0] for arg in overlay if arg in pinned} == {"django", "django-tasks"}


def test_the_django6_track_finds_a_python_312_on_path_or_in_pyenv_or_says_it_needs_one(noxfile, monkeypatch, tmp_path):
    shims = tmp_path / "pyenv" / "shims"  # pyenv's shims run only the active version: never chosen
    monkeypatch.setattr(noxfile.shutil, "which", lambda name: str(shims / name))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    assert noxfile.newer_python() == ">=3.12"  # nox then stops with "Python interpreter >=3.12 not found"
    for version in ("3.12.1", "3.12.10"):
        installed = tmp_path / "pyenv" / "versions" / version / "bin" / "python3.12"
        installed.parent.mkdir(parents=True)
        installed.touch()
    assert noxfile.newer_python() == str(installed)  # the newest installed (sorted by path: 3.12.10 after 3.12.1)
    monkeypatch.setattr(noxfile.shutil, "which", lambda name: "/usr/bin/python3.12" if name == "python3.12" else None)
    assert noxfile.newer_python() == "/usr/bin/python3.12"
