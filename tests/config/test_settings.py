"""Settings come from the environment; production mode passes `check --deploy`."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.live  # every test here starts a server or another process

ROOT = Path(__file__).resolve().parents[2]


def settings_in_subprocess(env: dict, expression: str) -> subprocess.CompletedProcess:
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
    )  # fmt: skip


def test_postgres_url_selects_psycopg_with_a_pool_and_no_persistent_connections():
    result = settings_in_subprocess(
        {"DATABASE_URL": "postgres://course:pw@db.example:5433/coursedb"},
        "settings.DATABASES['default']",
    )
    database = eval(result.stdout)  # noqa: S307 - our own repr of a dict
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.example", 5433, "coursedb")
    assert database["CONN_MAX_AGE"] == 0
    assert database["OPTIONS"]["pool"]["max_size"] >= 1
    assert not database.get("ATOMIC_REQUESTS")


def test_default_is_sqlite_beside_manage_py():
    result = settings_in_subprocess({}, "(settings.DATABASES['default']['NAME'], settings.DEBUG)")
    assert result.stdout.strip() == f"({str(ROOT / 'db.sqlite3')!r}, True)"


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = settings_in_subprocess({"DJANGO_DEBUG": "0"}, "settings.SECRET_KEY")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0" in result.stderr


def test_a_misspelt_flag_is_an_error_not_a_silent_default():
    result = settings_in_subprocess({"DJANGO_DEBUG": "maybe"}, "settings.DEBUG")
    assert "DJANGO_DEBUG must be 0 or 1" in result.stderr


def test_allowed_hosts_come_from_the_environment():
    result = settings_in_subprocess({"DJANGO_ALLOWED_HOSTS": "a.example, b.example"}, "settings.ALLOWED_HOSTS")
    assert result.stdout.strip() == "['a.example', 'b.example']"


@pytest.mark.parametrize(("https", "passes"), [(None, True), ("1", True), ("0", False)])
def test_production_mode_passes_check_deploy_only_with_https_settings(https, passes):
    env = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}
    if https is not None:
        env["DJANGO_HTTPS"] = https
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, env={**clean, **env},
    )  # fmt: skip
    if passes:
        assert result.returncode == 0, result.stderr
        assert "no issues" in result.stdout
    else:  # plain HTTP is for the course's loopback servers, and check --deploy says so
        assert result.returncode != 0
        assert "security.W008" in result.stderr
        assert "security.W012" in result.stderr
