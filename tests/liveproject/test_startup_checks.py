"""A URLconf that cannot load (liveproject/broken_urls/mixed_handlers.py): servers start and fail per request,
system checks refuse it. And liveproject.startup_checks, which runs manage.py check and runserver's start."""

import psutil
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from liveproject import LiveServer
from liveproject.startup_checks import manage_py, runserver_start

pytestmark = pytest.mark.live  # every test here starts a server or another process

BROKEN = {"ROOT_URLCONF": "liveproject.broken_urls.mixed_handlers"}
MESSAGE = "MixedHandlersView HTTP handlers must either be all sync or all async."


def test_every_request_fails_not_only_the_first(client, settings):
    settings.ROOT_URLCONF = BROKEN["ROOT_URLCONF"]
    for path in ["/ping/async/", "/ping/async/", "/mixed-handlers/"]:
        with pytest.raises(ImproperlyConfigured, match=MESSAGE):
            client.get(path)


@pytest.mark.django_db  # Django 6.x's `check` asks the database what it supports (JSONField's check); 5.2's did not
def test_system_checks_import_the_urlconf_and_refuse_it(settings):
    call_command("check", verbosity=0)  # the project's own URLconf passes
    settings.ROOT_URLCONF = BROKEN["ROOT_URLCONF"]
    with pytest.raises(ImproperlyConfigured, match=MESSAGE):
        call_command("check", verbosity=0)


def test_uvicorn_starts_with_it_and_answers_every_request_with_500():
    with LiveServer("uvicorn", settings=BROKEN) as server:
        assert server.running
        errors_before = len(server.log_lines("Exception in ASGI application"))
        assert [server.client.get(path).status_code for path in ["/ping/async/", "/async-status/"]] == [500, 500]
        assert len(server.log_lines("Exception in ASGI application")) == errors_before + 2
        assert server.log_lines(f"django.core.exceptions.ImproperlyConfigured: {MESSAGE}")


def test_manage_py_check_exits_1_with_the_error_and_0_without_it():
    broken = manage_py("check", settings=BROKEN)
    assert broken.returncode == 1
    assert broken.last_line == f"django.core.exceptions.ImproperlyConfigured: {MESSAGE}"
    fine = manage_py("check")
    assert (fine.returncode, fine.last_line) == (0, "System check identified no issues (0 silenced).")


def test_manage_py_stops_a_command_at_its_timeout():
    run = manage_py("shell", "-c", "import time; time.sleep(30)", timeout=1.0)
    assert run.still_running


def children_running_manage_py():
    return [p for p in psutil.Process().children(recursive=True) if "manage.py" in " ".join(p.cmdline())]


def test_runserver_never_serves_the_broken_urlconf_and_is_stopped():
    run = runserver_start(settings=BROKEN)
    assert run.still_running
    assert run.answered_http is False
    assert "Performing system checks..." in run.summary_lines()
    assert run.last_line == f"django.core.exceptions.ImproperlyConfigured: {MESSAGE}"
    assert children_running_manage_py() == []


def test_runserver_serves_the_project():
    run = runserver_start()
    assert run.answered_http is True
    assert "System check identified no issues (0 silenced)." in run.lines
    assert children_running_manage_py() == []


def test_the_summary_leaves_out_frames_and_the_chained_traceback_of_a_reraised_error():
    from liveproject.startup_checks import CommandRun

    error = "django.core.exceptions.ImproperlyConfigured: handlers must be all sync or all async."
    output = "\n".join([
        "Performing system checks...", "Traceback (most recent call last):", '  File "x.py", line 1', "    f()", error,
        "", "The above exception was the direct cause of the following exception:", "",
        "Traceback (most recent call last):", '  File "y.py", line 2', error, "runserver stopped",
    ])  # fmt: skip
    run = CommandRun(args=("runserver",), returncode=None, output=output)
    assert run.summary_lines() == [
        "Performing system checks...",
        "Traceback (most recent call last):",
        error,
        "runserver stopped",
    ]
