"""Django 5.2 beside Django 6.x: one experiment, run on each version, side by side (chapter 13).

The 6.x track's environment (`nox -s tests_django6`, `nox -s course_django6`) holds Django 6.x, and in a folder of
its own beside it (`django-5.2` in the environment, which the noxfile fills) Django 5.2 and the tasks backport at
requirements.txt's pins. A process started with that folder first on PYTHONPATH imports Django 5.2; any other
process of the environment imports 6.x. So one kernel can ask both:

    from liveproject.versions import on_both

    def paginator_names():
        import django.core.paginator as paginator
        return sorted(name for name in dir(paginator) if name.endswith("Paginator"))

    on_both(paginator_names)   # {"5.2": ["Paginator"], "6.1": ["AsyncPaginator", "BasePaginator", "Paginator"]}

`run_on(version, function)` runs `function` (defined at the top of a cell, with its imports inside it: only its
source travels) in a fresh Python process of that version, with the project's settings and its own copy of a
migrated, seeded SQLite database that the same version built, and returns what it returned, as JSON carries it.
A coroutine function is awaited there. Each process is waited for with a deadline and is gone when the call returns.
`server_env(version)` is the environment a LiveServer needs to serve the project on that version.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

from liveproject.databases import PROJECT_ROOT, _sqlite_template
from liveproject.evidence import django_track, expect, expected_for_version

OLD = "5.2"  # the LTS the course pins
OVERLAY = Path(sys.prefix) / "django-5.2"  # Django 5.2 beside 6.x, in the 6.x track's environment
_MARK = "--liveproject-result--"
# The experiment's source, and the `before` function's, run in a namespace of their own: a function named `json` or
# `asyncio` cannot shadow what the runner itself uses.
_RUNNER = """
import asyncio as _asyncio, inspect as _inspect, json as _json, sys as _sys
import django as _django
_django.setup()
_namespace = {{}}
exec(compile({before_source!r}, "<before>", "exec"), _namespace)
exec(compile({source!r}, "<experiment>", "exec"), _namespace)
exec(compile({after_source!r}, "<after>", "exec"), _namespace)
async def _wait(awaitable):
    return await awaitable
try:
    if {before_name!r}:
        _namespace[{before_name!r}]()
    _result = _namespace[{name!r}](*_json.loads(_sys.argv[1]))
    if _inspect.isawaitable(_result):
        _result = _asyncio.run(_wait(_result))
    _text = _json.dumps(_result)
except Exception as _error:
    if not {catch!r}:
        raise
    _text = _json.dumps({{"raised": type(_error).__name__, "message": str(_error)}})
_after = _namespace[{after_name!r}]() if {after_name!r} else None
print()
print({mark!r} + _json.dumps([".".join(map(str, _django.VERSION[:2])), _json.loads(_text), _after]))
"""


class OtherVersionMissing(RuntimeError):
    """Django 5.2 is not installed beside 6.x here: this kernel is not the 6.x track's."""


def versions() -> tuple[str, str]:
    """The two versions side by side: ("5.2", the 6.x this environment runs, as "6.1")."""
    new = django_track()
    if new == OLD or not (OVERLAY / "django").is_dir():
        raise OtherVersionMissing(
            f"this kernel runs Django {new}, without Django {OLD} beside a 6.x: chapter 13 runs on the 6.x track. Open "
            "it with `nox -s course_django6` (JupyterLab on Python 3.12+ with both), or run `nox -s tests_django6`."
        )
    return OLD, new


def server_env(version: str) -> dict[str, str]:
    """Environment variables that make a process of this environment import `version` (LiveServer(env=...)): the
    folder with Django 5.2 first on PYTHONPATH for 5.2, and never on it for 6.x."""
    old, new = versions()
    if version not in (old, new):
        raise ValueError(f"version must be {old!r} or {new!r}, not {version!r}")
    inherited = [path for path in os.environ.get("PYTHONPATH", "").split(os.pathsep) if path and path != str(OVERLAY)]
    return {"PYTHONPATH": os.pathsep.join([str(OVERLAY), *inherited] if version == old else inherited)}


def _source(function: Callable[..., object] | None) -> str:
    if function is None:
        return ""
    source = textwrap.dedent(inspect.getsource(function))
    if not source.lstrip().startswith(("def ", "async def ")):
        raise ValueError(f"{function.__name__}: only a plain function travels (no decorator, not a lambda)")
    return source


def _template(version: str, env: dict[str, str]) -> Path:
    """The seeded SQLite template this version built: keyed by the exact Django it imports (5.2.x from the folder)."""
    if version == OLD:
        from importlib.metadata import distributions

        installed = next(d.version for d in distributions(path=[str(OVERLAY)]) if d.metadata["Name"] == "Django")
    else:
        installed = version
    return _sqlite_template(env, tag=f"-on-django-{installed}")


def run_on(
    version: str,
    function: Callable[..., object],
    *args: object,
    timeout: float = 60,
    catch: bool = False,
    before: Callable[[], object] | None = None,
    after: Callable[[], object] | None = None,
) -> object:
    """Run `function(*args)` on Django `version` in a fresh process; return its result (JSON-shaped).

    An exception it raises fails the call with the other process's output; with `catch`, the call returns
    {"raised": its type's name, "message": its text} instead (an exercise check reads that). `before`, a function
    without arguments, runs first in the same process, on the same database (an exercise check arranges its data).
    `after`, also without arguments, runs last in that process, also when the function raised and `catch` caught
    it: with it, run_on returns (the function's result, after's result), so a check learns what `before` recorded.
    The process runs in a session of its own: at `timeout` it is killed with everything it started."""
    env = server_env(version)
    template = _template(version, env)
    script = _RUNNER.format(
        source=_source(function),
        name=function.__name__,
        before_source=_source(before),
        before_name=before.__name__ if before else "",
        after_source=_source(after),
        after_name=after.__name__ if after else "",
        mark=_MARK,
        catch=catch,
    )
    folder = Path(tempfile.mkdtemp(prefix=f"liveproject-django-{version}-"))
    try:
        database = folder / "db.sqlite3"
        shutil.copyfile(template, database)
        process = subprocess.Popen(
            [sys.executable, "-c", script, json.dumps(list(args))],
            cwd=PROJECT_ROOT,
            env={
                **os.environ,
                **env,
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DATABASE_URL": f"sqlite:///{database}",
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            raise RuntimeError(
                f"{function.__name__} on Django {version} ran longer than {timeout} s, and was stopped:\n"
                f"{stdout[-2000:]}{stderr[-2000:]}"
            ) from None
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # anything the experiment started and left running
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    results = [line[len(_MARK) :] for line in stdout.splitlines() if line.startswith(_MARK)]
    if process.returncode or not results:
        raise RuntimeError(
            f"{function.__name__} failed on Django {version} (exit {process.returncode}):\n"
            f"{stdout[-2000:]}{stderr[-2000:]}"
        )
    ran_on, result, after_result = json.loads(results[-1])
    if ran_on != version:
        raise RuntimeError(f"{function.__name__} was to run on Django {version}, and ran on {ran_on}")
    return (result, after_result) if after else result


def on_both(function: Callable[..., object], *args: object, timeout: float = 60) -> dict[str, object]:
    """`function(*args)` run on Django 5.2 and on this environment's 6.x: {"5.2": result, "6.1": result}."""
    return {version: run_on(version, function, *args, timeout=timeout) for version in versions()}


def expect_on_both(label: str, results: dict[str, object], expected: dict[str, object]) -> None:
    """One line per version: `label, Django 5.2: outcome ✓`, each held to what `expected` gives for that version
    (keys as in expect_by_version: "5.2", "6", "6.1"). What a cell prints is then the same on every run."""
    for version, value in results.items():
        expect(f"{label}, Django {version}", value, expected_for_version(version, expected))
