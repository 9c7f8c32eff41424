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
