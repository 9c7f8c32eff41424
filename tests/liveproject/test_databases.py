import os

import pytest

from liveproject import databases


def test_template_key_follows_the_migrations(tmp_path, monkeypatch):
    before = databases.template_key()
    assert before == databases.template_key()  # stable
    (tmp_path / "articles" / "migrations").mkdir(parents=True)
    (tmp_path / "articles" / "management" / "commands").mkdir(parents=True)
    (tmp_path / "articles" / "management" / "commands" / "seed_articles.py").write_text("seed")
    (tmp_path / "articles" / "migrations" / "0001_initial.py").write_text("one")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.py").write_text("INSTALLED_APPS = ['articles']")
    (tmp_path / "requirements.txt").write_text("django==5.2.8")
    monkeypatch.setattr(databases, "PROJECT_ROOT", tmp_path)
    first = databases.template_key()
    (tmp_path / "articles" / "migrations" / "0002_more.py").write_text("two")
    second = databases.template_key()
    assert second != first
    # an installed app brings its own tables: a new app, or a new version of one, is a new template
    (tmp_path / "config" / "settings.py").write_text("INSTALLED_APPS = ['articles', 'django_tasks_db']")
    third = databases.template_key()
    (tmp_path / "requirements.txt").write_text("django==5.2.9")
    assert len({first, second, third, databases.template_key()}) == 4


def test_url_for_replaces_only_the_database_name(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5433/course?sslmode=disable")
    assert databases.url_for("other") == "postgres://u:p@db.example:5433/other?sslmode=disable"


@pytest.mark.skipif(databases.backend() != "postgresql", reason="PostgreSQL track only")
def test_databases_of_dead_processes_are_dropped_and_those_of_live_ones_kept():
    import os

    dead_pid = 2**22 + 12345  # above Linux's default pid_max: no such process
    dead = [f"liveproject_{dead_pid}_1", f"test_liveproject_pytest_{dead_pid}_1", f"liveproject_building_{dead_pid}"]
    alive = f"test_liveproject_pytest_{os.getpid()}_999"  # this process is running: its database stays
    with databases.maintenance_connection() as conn:
        for name in [*dead, alive]:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            databases.drop_orphan_databases(conn)
            exists = {
                name
                for name in [*dead, alive]
                if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            }
            assert exists == {alive}
        finally:
            conn.execute(f'DROP DATABASE IF EXISTS "{alive}" WITH (FORCE)')


def test_sqlite_options_are_the_projects_on_either_track(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/course")  # the PostgreSQL track
    options = databases.sqlite_options()
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20
    assert "journal_mode=WAL" in options["init_command"]
    assert os.environ["DATABASE_URL"] == "postgres://postgres@127.0.0.1:5432/course"  # left as it was


@pytest.mark.live  # builds the seeded template with manage.py when this machine has none for this version yet
def test_a_sqlite_copy_is_handed_over_in_wal_mode_and_in_one_file(tmp_path):
    # In rollback-journal mode, a fresh server's first burst raced to switch it to WAL: "database is locked", a 500.
    import contextlib
    import sqlite3

    database = databases.create_database(tmp_path, vendor="sqlite")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["db.sqlite3"]  # no -wal or -shm file left
    assert (tmp_path / "db.sqlite3").read_bytes()[18:20] == b"\x02\x02"  # the header's read/write versions: WAL
    with contextlib.closing(sqlite3.connect(database.name)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
