"""Exercise checks for chapters 09a-asgi-servers (09a.1, 09a.2), 09b-deploying-asgi (09b.1, 09b.2),
09c-asgi-in-production (09c.1), 09d-is-async-worth-it (09d.1) and 09e-the-database-in-production (09e.1); how they
work: liveproject.exercises."""

from __future__ import annotations

from typing import TYPE_CHECKING

from liveproject.exercises.common import judge

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def check_09_max_processes(max_processes: Callable[[int, int, int], object]) -> None:
    """Exercise 09b.1: max_processes(max_connections, reserved, pool_max_size) -> whole processes that fit."""
    cases = [
        ((100, 10, 8), 11),
        ((100, 0, 10), 10),
        ((100, 10, 20), 4),
        ((50, 10, 8), 5),
        ((20, 10, 16), 0),
        ((10, 20, 8), 0),
    ]
    wrong = []
    for arguments, expected in cases:
        try:
            got = max_processes(*arguments)
        except Exception as exc:  # noqa: BLE001 - shown to the student as a hint
            got = f"{type(exc).__name__}: {exc}"
        if got != expected:
            wrong.append(f"max_processes{arguments} gave {got!r}, expected {expected}")
    judge(
        "Exercise 09b.1",
        not wrong,
        f"{'; '.join(wrong)}. Subtract the reserved connections, divide by the pool size, keep whole processes "
        "(//), and never go below 0.",
    )


def check_09_gunicorn_command(argv: Any) -> None:
    """Exercise 09a.1: gunicorn, the ASGI application, 4 UvicornWorker processes, bound to 0.0.0.0:8000."""
    import argparse

    ok = isinstance(argv, list | tuple) and all(isinstance(part, str) for part in argv) and argv[:1] == ["gunicorn"]
    if ok:
        parser = argparse.ArgumentParser(add_help=False)
        parser.add_argument("-k", "--worker-class")
        parser.add_argument("-w", "--workers", type=int)
        parser.add_argument("-b", "--bind", action="append")
        parser.add_argument("app")
        try:
            options, _ = parser.parse_known_args(argv[1:])
        except SystemExit:
            options = None
        ok = bool(
            options
            and options.app == "config.asgi:application"
            and options.worker_class == "uvicorn_worker.UvicornWorker"
            and options.workers == 4
            and options.bind == ["0.0.0.0:8000"]
        )
    judge(
        "Exercise 09a.1",
        ok,
        "A list like ['gunicorn', <the ASGI application>, '-k', <worker class>, '-w', '4', '-b', '0.0.0.0:8000']. "
        "The application is config.asgi:application (not wsgi), and the worker class comes from the "
        "uvicorn-worker package: uvicorn_worker.UvicornWorker.",
    )


def check_09_deploy_env(env: Any) -> None:
    """Exercise 09b.2: with exactly these DJANGO_* variables, check --deploy passes for shop.example.com."""
    import os
    import subprocess
    import sys

    from liveproject.databases import PROJECT_ROOT

    ok, detail = isinstance(env, dict) and all(isinstance(v, str) for v in env.values()), "env must be a dict of str"
    if ok:
        base = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
        done = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=PROJECT_ROOT,
            env=base | env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        hosts = [host.strip() for host in env.get("DJANGO_ALLOWED_HOSTS", "").split(",") if host.strip()]
        ok = done.returncode == 0 and hosts == ["shop.example.com"]
        detail = (done.stderr.strip().splitlines() or [f"allowed hosts: {hosts}"])[-1]
    judge(
        "Exercise 09b.2",
        ok,
        f"{detail}. Production needs DJANGO_DEBUG=0, a long random DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS set "
        "to the one host.",
    )


def check_09_granian_command(argv: Any) -> None:
    """Exercise 09a.2: granian serving the project's ASGI application with 2 workers and no lifespan protocol."""
    import argparse

    ok = isinstance(argv, list | tuple) and all(isinstance(part, str) for part in argv) and argv[:1] == ["granian"]
    options = None
    if ok:
        parser = argparse.ArgumentParser(add_help=False)
        parser.add_argument("--interface", default="rsgi")  # granian's own default
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("app")
        try:
            options, _ = parser.parse_known_args(argv[1:])
        except SystemExit:
            options = None
    judge(
        "Exercise 09a.2",
        bool(
            options
            and options.app == "config.asgi:application"
            and options.interface == "asginl"
            and options.workers == 2
        ),
        "Start with 'granian', name config.asgi:application, choose the ASGI interface without lifespan "
        "('--interface', 'asginl': Django refuses the protocol, and the plain 'asgi' interface tries it), and ask for "
        "'--workers', '2'.",
    )


def check_09_batch_time(batch_time: Callable[[int, float, int | None, float], object]) -> None:
    """Exercise 09d.1: batch_time(n, wait, threads, cpu_per_request) -> seconds for n requests sent at once to one
    process: the waits in rounds of `threads` (one round for an event loop, threads=None), plus every request's CPU."""
    cases = [
        ((1, 0.2, 4, 0.001), 0.201),
        ((8, 0.2, 4, 0.001), 0.408),
        ((9, 0.2, 4, 0.001), 0.609),  # a third, partly filled round
        ((1000, 3.0, 1000, 0.0007), 3.7),
        ((1, 0.2, None, 0.004), 0.204),
        ((1000, 0.2, None, 0.004), 4.2),
        ((1000, 3.0, None, 0.0023), 5.3),
    ]
    wrong = []
    for arguments, expected in cases:
        try:
            got = batch_time(*arguments)
            close = isinstance(got, int | float) and abs(got - expected) < 1e-6
        except Exception as exc:  # noqa: BLE001 - shown to the student as a hint
            got, close = f"{type(exc).__name__}: {exc}", False
        if not close:
            wrong.append(f"batch_time{arguments} gave {got!r}, expected {expected}")
    judge(
        "Exercise 09d.1",
        not wrong,
        f"{'; '.join(wrong[:3])}. With threads, the waits go in rounds: round the number of rounds up (math.ceil), "
        "since a partly filled round still takes a whole wait; an event loop overlaps every wait in one round. Then "
        "add every request's CPU time: one process computes them one after another.",
    )


def check_09_proxy_command(argv: Any) -> None:
    """Exercise 09c.1: uvicorn on 0.0.0.0:8000 without lifespan, trusting the forwarded headers of the proxy at
    10.0.0.5 only, and shedding load above 200 open connections (the proxy keeps up to 32)."""
    import argparse

    ok = isinstance(argv, list | tuple) and all(isinstance(part, str) for part in argv) and argv[:1] == ["uvicorn"]
    options = None
    if ok:
        parser = argparse.ArgumentParser(add_help=False)
        parser.add_argument("app")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--lifespan", default="auto")
        parser.add_argument("--proxy-headers", dest="proxy_headers", action="store_true", default=True)
        parser.add_argument("--no-proxy-headers", dest="proxy_headers", action="store_false")
        parser.add_argument("--forwarded-allow-ips", default="127.0.0.1,::1")
        parser.add_argument("--limit-concurrency", type=int)
        try:
            options, _ = parser.parse_known_args(argv[1:])
        except SystemExit:
            options = None
    trusted = {ip.strip() for ip in options.forwarded_allow_ips.split(",")} if options else set()
    judge(
        "Exercise 09c.1",
        bool(
            options
            and options.app == "config.asgi:application"
            and (options.host, options.port) == ("0.0.0.0", 8000)
            and options.lifespan == "off"
            and options.proxy_headers
            and trusted == {"10.0.0.5"}
            and options.limit_concurrency == 200
        ),
        "Start with 'uvicorn' and config.asgi:application; bind '--host', '0.0.0.0', '--port', '8000'; add "
        "'--lifespan', 'off'; keep the proxy headers on and trust them from '--forwarded-allow-ips', '10.0.0.5' only "
        "(not '*', and not uvicorn's default 127.0.0.1); shed load with '--limit-concurrency', '200' (above the 32 "
        "connections the proxy keeps).",
    )


def check_09_behind_bouncer(behind_bouncer: Callable[[str, int], object]) -> None:
    """Exercise 09e.1: behind_bouncer(host, port) -> the changes to DATABASES["default"] that send an ASGI server's
    queries through PgBouncer in transaction mode at host:port. Applied to the project's PostgreSQL settings, the
    result must point at the bouncer, drop the server's own pool, keep CONN_MAX_AGE at 0 and turn server-side
    cursors off."""
    project = {  # config/settings.py on the PostgreSQL track
        "ENGINE": "django.db.backends.postgresql", "NAME": "course", "USER": "postgres", "HOST": "127.0.0.1",
        "PORT": 5432, "CONN_MAX_AGE": 0, "OPTIONS": {"pool": {"min_size": 1, "max_size": 8, "timeout": 10}},
    }  # fmt: skip
    wrong = []
    for host, port in [("10.0.0.7", 6432), ("pgbouncer.internal", 6000)]:
        try:
            changes = behind_bouncer(host, port)
        except Exception as exc:  # noqa: BLE001 - shown to the student as a hint
            wrong.append(f"behind_bouncer({host!r}, {port}) raised {type(exc).__name__}: {exc}")
            continue
        if not isinstance(changes, dict):
            wrong.append(f"behind_bouncer({host!r}, {port}) gave {changes!r}, not a dict of settings")
            continue
        settings = project | changes
        if (settings["HOST"], str(settings["PORT"])) != (host, str(port)):
            wrong.append(f"with ({host!r}, {port}) the server would connect to {settings['HOST']}:{settings['PORT']}")
        if settings.get("DISABLE_SERVER_SIDE_CURSORS") is not True:
            wrong.append("server-side cursors are still on: iterator() and aiterator() break in transaction mode")
        options = settings.get("OPTIONS")
        if not isinstance(options, dict) or "pool" in options:
            wrong.append("the server keeps psycopg's pool: PgBouncer is the pool, and streams would exhaust this one")
        if settings.get("CONN_MAX_AGE") != 0:
            wrong.append(f"CONN_MAX_AGE is {settings.get('CONN_MAX_AGE')!r}: under ASGI it stays 0 (chapter 09b)")
    judge(
        "Exercise 09e.1",
        not wrong,
        f"{'; '.join(dict.fromkeys(wrong))}. Return a dict: HOST and PORT from the arguments, "
        "DISABLE_SERVER_SIDE_CURSORS=True, OPTIONS without a pool, and leave CONN_MAX_AGE at 0.",
    )
