"""The environment check accepts the systems the README supports and refuses the others with a FIX line."""

import pytest

from liveproject import env_check


@pytest.mark.parametrize(("system", "shown", "ok"), [
    ("Linux", "Linux", True),  # WSL2 reports Linux too
    ("Darwin", "macOS", True),
    ("Windows", "Windows", False),  # gunicorn does not run there: the README says to use WSL2
])  # fmt: skip
def test_operating_systems(monkeypatch, system, shown, ok):
    monkeypatch.setattr(env_check.platform, "system", lambda: system)
    rows = {what: (finding, good) for what, finding, good in env_check.checks()}
    assert rows["operating system"] == (shown, ok)


def test_report_marks_what_to_fix(monkeypatch, capsys):
    monkeypatch.setattr(env_check.platform, "system", lambda: "Windows")
    assert env_check.report() is False
    assert any(line.startswith("FIX  operating system") for line in capsys.readouterr().out.splitlines())


@pytest.mark.parametrize(("installed", "pins"), [("5.2.19", "requirements.txt"), ("6.1.3", "requirements-django6.txt")])
def test_versions_are_compared_with_the_pins_of_the_installed_djangos_track(monkeypatch, installed, pins):
    real_version = env_check.metadata.version
    monkeypatch.setattr(
        env_check.metadata, "version", lambda name: installed if name == "django" else real_version(name)
    )
    assert env_check.requirements_file() == pins
    assert env_check.pinned_versions()["django"].split(".")[0] == installed.split(".")[0]
