"""liveproject.exercises.ch09: each check passes the right answer and rejects wrong ones with a hint."""

import pytest

from liveproject.exercises.ch09 import (
    check_09_batch_time,
    check_09_behind_bouncer,
    check_09_deploy_env,
    check_09_granian_command,
    check_09_gunicorn_command,
    check_09_max_processes,
    check_09_proxy_command,
)
from liveproject.exercises.common import NotYet


def test_09_1_accepts_whole_processes_never_negative():
    check_09_max_processes(lambda connections, reserved, size: max(0, (connections - reserved) // size))
    for wrong in (
        lambda connections, reserved, size: (connections - reserved) / size,
        lambda connections, reserved, size: connections // size,
        lambda connections, reserved, size: (connections - reserved) // size,  # negative when reserved is large
    ):
        with pytest.raises(NotYet, match="never go below 0"):
            check_09_max_processes(wrong)


def test_09_2_accepts_the_asgi_app_with_uvicorn_worker_only():
    right = [
        "gunicorn",
        "config.asgi:application",
        "-k",
        "uvicorn_worker.UvicornWorker",
        "-w",
        "4",
        "-b",
        "0.0.0.0:8000",
    ]
    check_09_gunicorn_command(right)
    check_09_gunicorn_command(
        [
            "gunicorn",
            "--worker-class",
            "uvicorn_worker.UvicornWorker",
            "--workers",
            "4",
            "--bind",
            "0.0.0.0:8000",
            "config.asgi:application",
        ]
    )
    for wrong in (
        [*right[:1], "config.wsgi:application", *right[2:]],
        [*right[:3], "uvicorn.workers.UvicornWorker", *right[4:]],
        [*right[:5], "2", *right[6:]],
        "gunicorn config.asgi:application",
    ):
        with pytest.raises(NotYet, match="uvicorn_worker.UvicornWorker"):
            check_09_gunicorn_command(wrong)


@pytest.mark.live
def test_09_3_runs_check_deploy_with_the_given_environment():
    import secrets

    right = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "shop.example.com",
    }
    check_09_deploy_env(right)
    for wrong in (right | {"DJANGO_DEBUG": "1"}, right | {"DJANGO_SECRET_KEY": "short"}, {"DJANGO_DEBUG": "0"}):
        with pytest.raises(NotYet, match="DJANGO_DEBUG=0"):
            check_09_deploy_env(wrong)


def test_09a_2_accepts_granian_without_lifespan_only():
    check_09_granian_command(["granian", "--interface", "asginl", "--workers", "2", "config.asgi:application"])
    check_09_granian_command(["granian", "config.asgi:application", "--workers", "2", "--interface", "asginl"])
    for wrong in (
        ["granian", "--interface", "asgi", "--workers", "2", "config.asgi:application"],  # tries lifespan
        ["granian", "--workers", "2", "config.asgi:application"],  # granian's default interface is RSGI
        ["granian", "--interface", "asginl", "config.asgi:application"],  # one worker
        ["granian", "--interface", "asginl", "--workers", "2", "config.wsgi:application"],
        ["uvicorn", "--interface", "asginl", "--workers", "2", "config.asgi:application"],
        "granian --interface asginl --workers 2 config.asgi:application",  # a string, not a list
    ):
        with pytest.raises(NotYet, match="asginl"):
            check_09_granian_command(wrong)


def test_09d_1_accepts_rounds_of_waits_plus_all_the_cpu():
    import math

    def right(n, wait, threads, cpu):
        return (math.ceil(n / threads) if threads else 1) * wait + n * cpu

    check_09_batch_time(right)
    for wrong in (
        lambda n, wait, threads, cpu: (n / threads if threads else 1) * wait + n * cpu,  # no ceil
        lambda n, wait, threads, cpu: math.ceil(n / threads) * wait if threads else wait + n * cpu,  # threads' CPU
        lambda n, wait, threads, cpu: math.ceil(n / threads) * wait + n * cpu if threads else wait,  # the loop's CPU
        lambda n, wait, threads, cpu: math.ceil(n / threads) * wait + n * cpu if threads else n * (wait + cpu),
    ):
        with pytest.raises(NotYet, match="math.ceil"):
            check_09_batch_time(wrong)


def test_09c_1_accepts_uvicorn_trusting_one_proxy_and_shedding_load():
    right = ["uvicorn", "config.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--lifespan", "off",
             "--forwarded-allow-ips", "10.0.0.5", "--limit-concurrency", "200"]  # fmt: skip
    check_09_proxy_command(right)
    check_09_proxy_command([*right, "--proxy-headers"])
    for wrong in (
        [*right[:-4], "--forwarded-allow-ips", "*", "--limit-concurrency", "200"],  # trusts everyone
        right[:-4] + ["--limit-concurrency", "200"],  # the default trusts 127.0.0.1, not the proxy
        [*right[:-2], "--limit-concurrency", "16"],  # refuses requests on the proxy's idle connections
        [*right, "--no-proxy-headers"],
        [part for part in right if part not in ("--lifespan", "off")],
        ["gunicorn", *right[1:]],
    ):
        with pytest.raises(NotYet, match="10.0.0.5"):
            check_09_proxy_command(wrong)


def test_09e_1_accepts_the_bouncer_without_a_pool_or_server_side_cursors_and_rejects_near_misses():
    right = {"DISABLE_SERVER_SIDE_CURSORS": True, "OPTIONS": {}}
    check_09_behind_bouncer(lambda host, port: {"HOST": host, "PORT": port, **right})
    check_09_behind_bouncer(lambda host, port: {"HOST": host, "PORT": str(port), **right, "CONN_MAX_AGE": 0})
    near_misses = {
        "server-side cursors are still on": lambda host, port: {"HOST": host, "PORT": port, "OPTIONS": {}},
        "keeps psycopg's pool": lambda host, port: {"HOST": host, "PORT": port, "DISABLE_SERVER_SIDE_CURSORS": True},
        "would connect to 10.0.0.7:6432": lambda host, port: {"HOST": "10.0.0.7", "PORT": 6432, **right},
        "CONN_MAX_AGE is 60": lambda host, port: {"HOST": host, "PORT": port, **right, "CONN_MAX_AGE": 60},
        "not a dict": lambda host, port: f"postgres://postgres@{host}:{port}/course",
        "raised KeyError": lambda host, port: {}["HOST"],
        "still on": lambda host, port: {"HOST": host, "PORT": port, "OPTIONS": {}, "DISABLE_SERVER_SIDE_CURSORS": 1},
    }
    for hint, wrong in near_misses.items():
        with pytest.raises(NotYet, match=hint):
            check_09_behind_bouncer(wrong)
