"""A fresh, migrated and seeded database for every server.

Migrating and seeding take seconds (the seed hashes five passwords), so they run once into a template
that is keyed by the content of the migrations and the seeding command; each server then gets a copy:

* SQLite: the template is a file in the temp folder; a server gets a copy of it in its own folder, in WAL mode.
* PostgreSQL (DATABASE_URL=postgres://...): the template is a database `liveproject_tpl_<key>`; a server
  gets `CREATE DATABASE liveproject_<pid>_<n> TEMPLATE ...`, dropped when the server stops. Databases
  left behind by a process that was killed are dropped the next time one is created.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
import psutil

if TYPE_CHECKING:
    from typing import Any

    import psycopg

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The seeded users' password on the course's throwaway databases (127.0.0.1 only, dropped on stop).
SEED_PASSWORD = "course-password"
_counter = itertools.count(1)


def base_database_url() -> str:
    """The DATABASE_URL this process was given; empty means the SQLite track."""
    return os.environ.get("DATABASE_URL", "")


def backend() -> str:
    """'postgresql' or 'sqlite', from this process's DATABASE_URL."""
    url = base_database_url()
    return "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


def template_key() -> str:
    """Changes whenever a migration or the seeding command changes: the project's migrations, and those of the apps
    it installs (INSTALLED_APPS in config/settings.py, at the versions requirements.txt pins), and the Django that
    runs them: the 5.2 and 6.x tracks each build their own template."""
    from importlib.metadata import version

    digest = hashlib.sha256(SEED_PASSWORD.encode())
    digest.update(f"django {version('django')}".encode())
    sources = sorted(PROJECT_ROOT.glob("*/migrations/*.py"))
    sources += [PROJECT_ROOT / "articles/management/commands/seed_articles.py", PROJECT_ROOT / "config/settings.py"]
    sources.append(PROJECT_ROOT / "requirements.txt")
    for path in sources:
        digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _manage(database_url: str, *args: str, env: Mapping[str, str] | None = None) -> None:
    env = {
        **os.environ,
        **(env or {}),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "1",
        "SEED_USER_PASSWORD": SEED_PASSWORD,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def _migrate_and_seed(database_url: str, env: Mapping[str, str] | None = None) -> None:
    _manage(database_url, "migrate", "--noinput", "-v0", env=env)
    _manage(database_url, "seed_articles", env=env)


@dataclass
class Database:
    """One server's database: its URL, and how to get rid of it."""

    url: str
    name: str
    backend: str

    def drop(self) -> None:
        if self.backend == "postgresql":
            with maintenance_connection() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        # A SQLite file lives in the server's own folder, which the server removes.


def create_database(folder: Path, *, vendor: str | None = None) -> Database:
    """A fresh copy of the seeded template for one server; `folder` is the server's own folder.

    `vendor` ("sqlite" or "postgresql") overrides the track that DATABASE_URL chooses.
    """
    if (vendor or backend()) == "postgresql":
        return _create_postgres_database()
    return _create_sqlite_database(folder)


# --- SQLite -----------------------------------------------------------------------------------------


def sqlite_options() -> dict:
    """DATABASES["default"]["OPTIONS"] as config/settings.py sets them for a SQLite database, on either track.

    A chapter that starts a SQLite server with one option changed keeps the project's others:
    `LiveServer(..., database_backend="sqlite", database={"OPTIONS": {**sqlite_options(), "transaction_mode": ...}})`.
    """
    import runpy
    from unittest import mock

    with mock.patch.dict(os.environ, {"DATABASE_URL": "sqlite:///settings-only.sqlite3"}):
        project_settings = runpy.run_path(str(PROJECT_ROOT / "config" / "settings.py"))
    return dict(project_settings["DATABASES"]["default"]["OPTIONS"])


def _sqlite_template(env: Mapping[str, str] | None = None, tag: str = "") -> Path:
    """The seeded SQLite template, built once. `env` and `tag`: environment variables for the commands that build it
    (another Django on PYTHONPATH, chapter 13) and a name for what they change, kept apart in the cache."""
    cache = Path(tempfile.gettempdir()) / f"liveproject-{os.getuid()}"
    cache.mkdir(exist_ok=True)
    template = cache / f"template-{template_key()}{tag}.sqlite3"
    if template.exists():
        return template
    building = cache / f"building-{os.getpid()}-{next(_counter)}.sqlite3"
    try:
        _migrate_and_seed(f"sqlite:///{building}", env)
        # The project opens SQLite in WAL mode; fold the log into the file so one file is the whole copy.
        with sqlite3.connect(building) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode=DELETE")
        conn.close()
        os.replace(building, template)  # atomic: a concurrent builder simply wins or loses the race
    finally:
        for leftover in cache.glob(f"{building.name}*"):
            leftover.unlink(missing_ok=True)
    return template


def _create_sqlite_database(folder: Path) -> Database:
    path = folder / "db.sqlite3"
    shutil.copyfile(_sqlite_template(), path)
    # The copy is a rollback-journal file; switch it to WAL, as the project's settings open it, before the server
    # connects. Left to the server, the first connections of a burst would each run the settings' `PRAGMA
    # journal_mode=WAL` on it at once, and a switch that collides with another connection fails with "database is
    # locked" within milliseconds, not after the settings' 20 s timeout: a 500 in a fresh server's first burst.
    # WAL is kept in the file, and closing the last connection folds the -wal file back in: still one file.
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
    return Database(url=f"sqlite:///{path}", name=str(path), backend="sqlite")


# --- PostgreSQL -------------------------------------------------------------------------------------

# Databases a process of the course creates carry its pid: a server's copy (liveproject_<pid>_<n>), a pytest run's
# test database (test_liveproject_pytest_<pid>_<n>, liveproject/pytest_runs.py), a template being built
# (liveproject_building_<pid>). Those of a process that is gone were left by a run cut short.
_LIVE_NAME = re.compile(r"(?:test_)?liveproject_(?:pytest_)?(\d+)_\d+|liveproject_building_(\d+)")


def maintenance_connection() -> psycopg.Connection[tuple[Any, ...]]:
    import psycopg

    config = dj_database_url.parse(base_database_url())
    return psycopg.connect(
        dbname="postgres",
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        autocommit=True,
        connect_timeout=10,
    )


def url_for(name: str) -> str:
    """DATABASE_URL with its database name replaced (user, host, port and options kept)."""
    parts = urlsplit(base_database_url())
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_orphan_databases(conn: psycopg.Connection[Any]) -> None:
    """Drop the databases that processes which no longer run left behind (a killed notebook, a run cut short)."""
    query = "SELECT datname FROM pg_database WHERE datname LIKE 'liveproject_%' OR datname LIKE 'test_liveproject_%'"
    for (name,) in conn.execute(query).fetchall():
        match = _LIVE_NAME.fullmatch(name)
        if match and not psutil.pid_exists(int(match.group(1) or match.group(2))):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_orphans() -> None:
    """Drop what dead processes left on the PostgreSQL track (nothing to do on SQLite)."""
    if backend() == "postgresql":
        with maintenance_connection() as conn:
            drop_orphan_databases(conn)


def _postgres_template(conn: psycopg.Connection[Any]) -> str:
    template = f"liveproject_tpl_{template_key()}"
    # One builder at a time across processes; the others wait, then find the template ready.
    conn.execute("SELECT pg_advisory_lock(hashtext('liveproject template'))")
    try:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone()
        if not exists:
            building = f"liveproject_building_{os.getpid()}"
            conn.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{building}"')
            try:
                _migrate_and_seed(url_for(building))
            except BaseException:
                conn.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
                raise
            conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
            # Templates of older migrations are no longer useful.
            for (old,) in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE 'liveproject_tpl_%%' AND datname <> %s",
                [template],
            ).fetchall():
                conn.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
    finally:
        conn.execute("SELECT pg_advisory_unlock(hashtext('liveproject template'))")
    return template


def _create_postgres_database() -> Database:
    import psycopg

    name = f"liveproject_{os.getpid()}_{next(_counter)}"
    with maintenance_connection() as conn:
        drop_orphan_databases(conn)
        template = _postgres_template(conn)
        for _attempt in range(50):
            try:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                break
            except psycopg.errors.ObjectInUse:  # another process is copying the template right now
                time.sleep(0.1)
        else:
            raise RuntimeError(f"could not copy the template database {template}: it stays in use")
    return Database(url=url_for(name), name=name, backend="postgresql")
