"""PgBouncer in front of PostgreSQL, as a connection pooler in production stands between the servers and the database.

    with PgBouncer(pool_size=2) as bouncer:
        bouncer.database_url("course")       # postgres://postgres@127.0.0.1:<its port>/course: through the bouncer
        bouncer.database_settings()          # DATABASES["default"] changes that send a LiveServer through it
        bouncer.server_connections(server)   # connections PostgreSQL has open to that server's database

Debian's pgbouncer (`apt-get install pgbouncer`; the noxfile installs it where it may, as CI does), run in the
foreground as one process, in transaction mode unless told otherwise, with its configuration and log in a folder of
its own, stopped and the folder removed when the block ends, however it ends. It passes every database through to
the PostgreSQL that DATABASE_URL names, trusting the user `postgres` as that server
does. PgBouncer refuses to run as root: as root (CI) it is started with `-u nobody`, and drops to that user once it
has read its files. Where it is not installed, start() raises PgBouncerMissing with the command that installs it.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from liveproject import databases, processes

if TYPE_CHECKING:
    import subprocess
    from typing import IO

    from liveproject.server import LiveServer

INSTALL_HINT = "pgbouncer is not installed: apt-get install pgbouncer (as root; `nox` does it where it may)"

_CONFIG = """\
[databases]
* = host={host} port={port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen_port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/users.txt
pool_mode = {pool_mode}
default_pool_size = {pool_size}
max_client_conn = 1000
{settings}
"""


class PgBouncerMissing(RuntimeError):
    pass


def pgbouncer_path() -> str | None:
    return shutil.which("pgbouncer") or next((path for path in ("/usr/sbin/pgbouncer",) if Path(path).is_file()), None)


class PgBouncer:
    def __init__(self, *, pool_size: int = 4, pool_mode: str = "transaction", settings: dict | None = None) -> None:
        """`pool_size`: server connections per database and user (PgBouncer's default_pool_size).
        `pool_mode`: "transaction" (a server connection per transaction), "session" or "statement".
        `settings`: more [pgbouncer] settings, e.g. {"client_idle_timeout": 1}."""
        self.pool_size = pool_size
        self.pool_mode = pool_mode
        self.settings = dict(settings or {})
        self.port: int | None = None
        self._process: subprocess.Popen | None = None
        self._folder: Path | None = None
        self._log_file: IO[bytes] | None = None

    def start(self) -> PgBouncer:
        if databases.backend() != "postgresql":
            raise RuntimeError("PgBouncer stands in front of PostgreSQL: set DATABASE_URL=postgres://...")
        pgbouncer = pgbouncer_path()
        if pgbouncer is None:
            raise PgBouncerMissing(INSTALL_HINT)
        self._folder = processes.scratch_folder("pgbouncer")
        try:
            for _ in range(3):  # PgBouncer binds its own port: another process may take a free port first
                if self._launch(pgbouncer):
                    break
            else:
                raise RuntimeError(f"pgbouncer did not start; its log ends with:\n{self.log_text()[-2000:]}")
        except BaseException:
            self.stop()
            raise
        return self

    def _launch(self, pgbouncer: str) -> bool:
        assert self._folder is not None
        upstream = urlsplit(databases.base_database_url())
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        (self._folder / "users.txt").write_text(f'"{upstream.username or "postgres"}" ""\n')
        config = self._folder / "pgbouncer.ini"
        config.write_text(
            _CONFIG.format(
                host=upstream.hostname or "127.0.0.1",
                port=upstream.port or 5432,
                listen_port=self.port,
                folder=self._folder,
                pool_mode=self.pool_mode,
                pool_size=self.pool_size,
                settings="\n".join(f"{name} = {value}" for name, value in self.settings.items()),
            )
        )
        if self._log_file is None:
            self._log_file = open(self._folder / "pgbouncer.log", "ab")  # noqa: SIM115 - closed in stop()
        as_root = ["-u", "nobody"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
        self._process = process = processes.spawn(
            [pgbouncer, *as_root, str(config)],
            cwd=self._folder,
            env={"PATH": "/usr/sbin:/usr/bin:/bin"},
            log_file=self._log_file,
            tie_to_this_thread=threading.current_thread() is threading.main_thread(),
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self._process = None
                return False  # the port was taken, or the configuration is wrong: the log says which
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"pgbouncer was not ready after 10 s; its log ends with:\n{self.log_text()[-2000:]}")

    def database_url(self, name: str) -> str:
        """The URL of database `name` through this bouncer."""
        if self.port is None:
            raise RuntimeError("the bouncer is not running")
        user = urlsplit(databases.base_database_url()).username or "postgres"
        return f"postgres://{user}@127.0.0.1:{self.port}/{name}"

    def database_settings(self, **changes: object) -> dict:
        """Changes to DATABASES["default"] that send a LiveServer's queries through this bouncer (LiveServer's
        `database=`): its host and port, and no psycopg pool of Django's own (PgBouncer is the pool), plus
        `changes`, e.g. DISABLE_SERVER_SIDE_CURSORS=True."""
        if self.port is None:
            raise RuntimeError("the bouncer is not running")
        return {"HOST": "127.0.0.1", "PORT": str(self.port), "OPTIONS": {}, **changes}

    def server_connections(self, server: LiveServer) -> int:
        """How many connections PostgreSQL has open right now to the database of `server` (a LiveServer that goes
        through this bouncer), asked directly: the server side of the bouncer's pool."""
        count = server.database_connections()
        if count is None:
            raise ValueError(f"{server!r} has no PostgreSQL database")
        return count

    def stop(self) -> None:
        """Stop PgBouncer and remove its folder. Safe to repeat."""
        process, self._process = self._process, None
        if process is not None:
            processes.stop_tree(process)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def log_text(self) -> str:
        if self._folder is None:
            return ""
        path = self._folder / "pgbouncer.log"
        return path.read_text(errors="replace") if path.is_file() else ""

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> PgBouncer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:  # no port: reprs end up in notebook outputs
        return f"<PgBouncer {self.pool_mode} mode, pool of {self.pool_size} {'running' if self.running else 'stopped'}>"
