"""LiveServer: the course's project running under a real server, on a free port of 127.0.0.1.

    with LiveServer("uvicorn") as server:              # or: server = LiveServer("uvicorn").start()
        response = server.client.get("/async-hello/")  # an httpx.Client with a timeout
        server.log_lines()                             # what the server logged (never in the notebook)
                                                       # leaving the block (or server.stop()) stops it

Kinds: "uvicorn" (ASGI), "gunicorn-sync" and "gunicorn-gthread" (WSGI), "gunicorn-uvicorn" (gunicorn
managing uvicorn_worker.UvicornWorker processes, ASGI), "gunicorn-asgi" (gunicorn's own ASGI worker, `-k asgi`),
"granian" (ASGI, HTTP in Rust), "hypercorn" (ASGI), "daphne" (ASGI, Channels' server, chapter 11), "runserver"
(Django's development server, WSGI) and "trivial" (a bare asyncio server with no Django, used to calibrate the
load generator). Chapter 09a compares the six ASGI servers.

Every server gets a fresh, migrated, seeded database of its own, and its settings can be varied without
editing any file: LiveServer writes a settings module that imports config.settings and changes only
what you ask for (`server.settings_source` shows it).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from liveproject import databases, processes

if TYPE_CHECKING:
    from typing import IO

PROJECT_ROOT = databases.PROJECT_ROOT


def _grace(server: LiveServer, option: str) -> list[str]:
    """The server's grace-period option, unless LiveServer(grace=None) asked for the server's own default."""
    return [option, str(server.grace)] if server.grace is not None else []


def _uvicorn(server: LiveServer, fd: int, port: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", "config.asgi:application", "--fd", str(fd),
        "--lifespan", "off",  # Django does not implement the ASGI lifespan protocol
        "--no-access-log",  # the project's AccessLogMiddleware logs every request
        "--log-level", "warning", *_grace(server, "--timeout-graceful-shutdown"),
    ]  # fmt: skip


def _hypercorn(server: LiveServer, fd: int, port: int) -> list[str]:
    return [
        sys.executable, "-m", "hypercorn", "config.asgi:application", "--bind", f"fd://{fd}",
        "--workers", str(server.workers), *_grace(server, "--graceful-timeout"), "--log-level", "warning",
    ]  # fmt: skip


def _daphne(server: LiveServer, fd: int, port: int) -> list[str]:
    return [
        sys.executable, "-m", "daphne", "--fd", str(fd),
        "--verbosity", "0",  # warnings only, and no access log (the project's AccessLogMiddleware logs requests)
        "--application-close-timeout", "2", "config.asgi:application",
    ]  # fmt: skip


def _gunicorn(
    app: str, worker_class: str, *, threads: bool = False, extra: tuple[str, ...] = ()
) -> Callable[[LiveServer, int, int], list[str]]:
    def command(server: LiveServer, fd: int, port: int) -> list[str]:
        return [
            sys.executable, "-m", "gunicorn", app, "--bind", f"fd://{fd}", "--worker-class", worker_class,
            "--workers", str(server.workers), "--config", "python:liveproject.gunicorn_conf",
            "--no-control-socket", *_grace(server, "--graceful-timeout"), "--log-level", "warning",
            *(["--threads", str(server.threads)] if threads else []), *extra,
        ]  # fmt: skip

    return command


def _granian(server: LiveServer, fd: int, port: int) -> list[str]:
    # Granian cannot be handed a socket: it binds the port itself. "asginl" is ASGI with no lifespan: Django has none.
    return [
        sys.executable, "-m", "granian", "--interface", "asginl", "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(server.workers), *_grace(server, "--workers-kill-timeout"), "--no-access-log",
        "--log-level", "warning",
        "config.asgi:application",
    ]  # fmt: skip


def _runserver(server: LiveServer, fd: int, port: int) -> list[str]:  # as `manage.py runserver` runs it
    return [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"]


def _trivial(server: LiveServer, fd: int, port: int) -> list[str]:
    return [sys.executable, "-m", "liveproject.trivial_server", "--fd", str(fd)]


@dataclass(frozen=True)
class ServerKind:
    """One kind of server LiveServer can run: what it serves and the command that starts it on a socket."""

    name: str
    interface: str  # "ASGI", "WSGI", or "raw asyncio" (no Django)
    command: Callable[[LiveServer, int, int], list[str]]  # (server, listening socket's fd, its port) -> argv
    takes_socket: bool = True  # False: it binds the port itself (runserver), so the port is freed for it
    serves_django: bool = True  # False: no database, no settings; ready when "/" answers


SERVER_KINDS = {
    kind.name: kind
    for kind in (
        ServerKind("uvicorn", "ASGI", _uvicorn),
        ServerKind("gunicorn-sync", "WSGI", _gunicorn("config.wsgi:application", "sync")),
        ServerKind("gunicorn-gthread", "WSGI", _gunicorn("config.wsgi:application", "gthread", threads=True)),
        ServerKind("gunicorn-uvicorn", "ASGI", _gunicorn("config.asgi:application", "uvicorn_worker.UvicornWorker")),
        ServerKind(  # gunicorn's own ASGI worker; Django has no lifespan handler (chapter 09a)
            "gunicorn-asgi", "ASGI", _gunicorn("config.asgi:application", "asgi", extra=("--asgi-lifespan", "off"))
        ),
        ServerKind("granian", "ASGI", _granian, takes_socket=False),  # a Rust server: HTTP in Rust, the app in Python
        ServerKind("hypercorn", "ASGI", _hypercorn),
        ServerKind("daphne", "ASGI", _daphne),  # Channels' server: HTTP and WebSockets on Twisted
        ServerKind("runserver", "WSGI", _runserver, takes_socket=False),  # Django's development server
        ServerKind("trivial", "raw asyncio", _trivial, serves_django=False),  # the load generator's yardstick
    )
}
KINDS = tuple(SERVER_KINDS)
DEFAULT_TIMEOUT = httpx.Timeout(10.0)

_running: set[LiveServer] = set()
_running_lock = threading.Lock()


@atexit.register
def stop_all_servers() -> int:
    """Stop every server this process started that is still running; return how many there were.

    A chapter's first cell calls it, so that running that cell again first stops what its last run started.
    Task workers (liveproject.tasks) are stopped first, and are not counted.
    A normal interpreter exit calls it too (a SIGKILL is handled by the OS: see liveproject/processes.py).
    """
    from liveproject.tasks import stop_all_workers

    stop_all_workers()  # first: a worker uses its server's database, which stopping the server drops
    with _running_lock:
        servers = list(_running)
    for server in servers:
        server.stop()
    return len(servers)


class ServerFailedToStart(RuntimeError):
    pass


def start_together(servers: Iterable[LiveServer]) -> list[LiveServer]:
    """Start several servers at once and return them, all ready: each is launched from this thread, as start()
    would, and then all are waited for together, so that six servers take about as long as the slowest one, not the
    sum of all six. If one fails to start, all are stopped and its ServerFailedToStart is raised."""
    servers = list(servers)
    starting = [server for server in servers if server._process is None]
    try:
        for server in starting:
            server._launch_for_start()
        with ThreadPoolExecutor(max_workers=max(1, len(starting)), thread_name_prefix="liveproject-start") as pool:
            for waiting in [pool.submit(server._finish_start) for server in starting]:
                waiting.result()
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


class LiveServer:
    def __init__(
        self,
        kind: str = "uvicorn",
        *,
        workers: int = 1,
        threads: int = 4,
        debug: bool = False,
        extra_middleware: list[str] | tuple[str, ...] = (),
        middleware: list[str] | None = None,
        atomic_requests: bool = False,
        database: dict | None = None,
        loggers: dict[str, str] | None = None,
        settings: dict | None = None,
        env: dict[str, str] | None = None,
        args: list[str] | tuple[str, ...] = (),
        database_backend: str | None = None,
        ready_timeout: float = 30.0,
        grace: int | None = 2,
    ) -> None:
        """Describe a server; `start()` runs it.

        workers/threads: gunicorn worker processes and (gthread) threads per worker.
        debug: DJANGO_DEBUG for the server (Django logs middleware adaptation only with DEBUG on).
        extra_middleware: dotted paths appended to the project's MIDDLEWARE (innermost).
        middleware: a whole MIDDLEWARE list instead of the project's.
        atomic_requests: DATABASES["default"]["ATOMIC_REQUESTS"] = True.
        database: keys to change in DATABASES["default"], e.g. {"CONN_MAX_AGE": 60, "OPTIONS": {}}.
        loggers: logger name -> level, e.g. {"django.request": "DEBUG"}.
        settings: any other settings, NAME -> value (written with repr()).
        env: extra environment variables for the server process.
        args: extra command-line arguments for the server, e.g. ["--nothreading"] for runserver.
        grace: seconds a server gives the requests in flight after SIGTERM before it cuts them (uvicorn, gunicorn,
            Granian, hypercorn; chapter 09a); None leaves the server's own default: uvicorn's waits for them forever.
        database_backend: "sqlite" gives this server a SQLite database even on the PostgreSQL track (a chapter
            that shows what SQLite does can then show it on both tracks); None follows DATABASE_URL.
        """
        if kind not in SERVER_KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        self.kind = kind
        self._kind = SERVER_KINDS[kind]
        self.interface = self._kind.interface
        self.workers = workers
        self.threads = threads
        self.debug = debug
        self.ready_timeout = ready_timeout
        self.grace = grace
        self.settings_source = _settings_source(
            debug=debug,
            extra_middleware=list(extra_middleware),
            middleware=middleware,
            atomic_requests=atomic_requests,
            database=database or {},
            loggers=loggers or {},
            overrides=settings or {},
        )
        self._extra_env = dict(env or {})
        self._extra_args = list(args)
        if database_backend not in (None, "sqlite"):
            raise ValueError(f"database_backend must be 'sqlite' or None (DATABASE_URL's), not {database_backend!r}")
        self.database_backend = database_backend
        self._process: subprocess.Popen | None = None
        self._folder: Path | None = None
        self._log_file: IO[bytes] | None = None
        self._final_log: str | None = None
        self._clients: list[httpx.Client] = []
        self.database: databases.Database | None = None
        self.url: str | None = None
        self.client: httpx.Client | None = None
        self.startup_seconds: float | None = None  # set once start() has seen it answer
        self._start_began = 0.0
        self._secret_key = secrets.token_urlsafe(50)  # one per server: sessions outlive a restart()

    # --- life cycle ---------------------------------------------------------------------------------

    def start(self) -> LiveServer:
        if self._process is not None:
            return self
        self._launch_for_start()
        self._finish_start()
        return self

    def _launch_for_start(self) -> None:
        """The first half of start(): the process is running, not yet ready. start_together() calls it from the
        thread that starts the servers, so that each child is tied to that thread as start() ties it."""
        self._start_began = time.perf_counter()
        processes.sweep_scratch_folders()  # what servers of killed processes left behind
        self._folder = folder = processes.scratch_folder(self.kind)
        self._final_log = None
        try:
            self._launch(folder)
        except BaseException:
            self._fail_to_start()
            raise

    def _finish_start(self) -> None:
        """The second half of start(): wait until the server answers; stop it, with its log, if it never does."""
        try:
            assert self._process is not None
            self._wait_until_ready(self._process)
        except BaseException:
            self._fail_to_start()
            raise
        self.startup_seconds = time.perf_counter() - self._start_began

    def _fail_to_start(self) -> None:
        log = self.log_text()
        self.stop()
        if isinstance(log, str) and log.strip():
            raise ServerFailedToStart(f"{self.kind} did not start; its log ends with:\n{log[-3000:]}") from None

    def django_env(self) -> dict[str, str]:
        """The environment of a process that runs the project as this server does: its settings module, its
        database, its secret key, its Redis prefix. The server uses it; so does a task worker (liveproject.tasks)."""
        folder = self._folder
        if folder is None:
            raise RuntimeError("the server has not been started")
        env = {**os.environ, **self._extra_env, "PYTHONUNBUFFERED": "1"}
        if self._kind.serves_django:
            assert self.database is not None
            env.update(
                DJANGO_SETTINGS_MODULE="live_settings",
                DATABASE_URL=self.database.url,
                DJANGO_DEBUG="1" if self.debug else "0",
                DJANGO_SECRET_KEY=self._secret_key,
                DJANGO_HTTPS="0",  # plain HTTP on 127.0.0.1: no HTTPS redirect, cookies without Secure
                DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            )
            # With REDIS_URL set (in its env or this process's), its Redis keys are its own, like its database.
            env.setdefault("REDIS_PREFIX", f"liveserver-{folder.name}")
        # The server's own folder and the project first, then what `env` or this process put on PYTHONPATH (chapter
        # 13's Django 5.2 beside 6.x: liveproject.versions.server_env).
        env["PYTHONPATH"] = os.pathsep.join([str(folder), str(PROJECT_ROOT), *filter(None, [env.get("PYTHONPATH")])])
        return env

    def _launch(self, folder: Path) -> subprocess.Popen:
        if self._kind.serves_django and self.database is None:  # a restart keeps its database
            self.database = databases.create_database(folder, vendor=self.database_backend)
            (folder / "live_settings.py").write_text(self.settings_source)
        env = self.django_env()
        env["LIVESERVER_LOG_FILE"] = str(folder / "server.log")  # lab 04's audit reads its own log
        for mark in folder.glob("worker-*.ready"):  # a restart's workers must warm up again
            mark.unlink()
        # Bind the port here and hand the socket to the server: no race for a "free" port.
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            # Accepted connections inherit TCP_NODELAY from the listener (on Linux). uvicorn wraps a socket it is
            # handed (--fd) as a Unix socket, so asyncio would not set it, and Nagle's algorithm, meeting the
            # client's delayed ACK, would add ~40 ms to every request on a reused (keep-alive) connection.
            listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            listener.bind(("127.0.0.1", 0))
            listener.listen(4096)
            port = listener.getsockname()[1]
            pass_fds: tuple[int, ...] = (listener.fileno(),)
            if not self._kind.takes_socket:  # it binds its own port (runserver): free the port for it
                listener.close()
                pass_fds = ()
            self._log_file = open(folder / "server.log", "ab")  # noqa: SIM115 - closed in stop()
            self._process = process = processes.spawn(
                self._kind.command(self, listener.fileno() if pass_fds else -1, port) + self._extra_args,
                cwd=PROJECT_ROOT,
                env=env,
                log_file=self._log_file,
                pass_fds=pass_fds,
                tie_to_this_thread=threading.current_thread() is threading.main_thread(),
            )
        finally:
            listener.close()
        with _running_lock:
            _running.add(self)
        self.url = f"http://127.0.0.1:{port}"
        self.client = httpx.Client(base_url=self.url, timeout=DEFAULT_TIMEOUT)
        return process

    def _wait_until_ready(self, process: subprocess.Popen) -> None:
        # Ready means "answers HTTP", whatever the status: a variant such as ATOMIC_REQUESTS=True answers
        # its async views with 500, and that answer is what the notebook wants to show.
        path = "/ping/async/" if self._kind.serves_django else "/"
        deadline = time.monotonic() + self.ready_timeout
        with httpx.Client(base_url=self.url, timeout=2.0) as probe:
            while True:
                if process.poll() is not None:
                    raise ServerFailedToStart(f"{self.kind} exited with code {process.returncode}")
                try:
                    probe.get(path)
                    if self._all_workers_warm():
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise ServerFailedToStart(f"{self.kind} was not ready after {self.ready_timeout} s")
                time.sleep(0.01)

    def restart(self) -> LiveServer:
        """Stop the server process as a deploy does (SIGTERM: it finishes what is in flight, then exits) and start it
        again, on a new port, with the same database, settings and secret key; its log goes on in the same file.
        Whatever lived only in the old process (an asyncio task a view started) is gone; what is in the database
        stays."""
        process, self._process = self._process, None
        if process is None or self._folder is None:
            raise RuntimeError("the server is not running")
        for client in [self.client, *self._clients]:
            if client is not None:
                client.close()
        self._clients.clear()
        processes.stop_tree(process)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        try:
            self._wait_until_ready(self._launch(self._folder))
        except BaseException:
            self.stop()
            raise
        return self

    def _all_workers_warm(self) -> bool:
        """Whether every gunicorn worker has imported the URLconf (liveproject/gunicorn_conf.py: post_worker_init
        marks it); other servers are one process, which the readiness probe itself warms."""
        if not self.kind.startswith("gunicorn") or self._folder is None:
            return True
        return len(list(self._folder.glob("worker-*.ready"))) >= self.workers

    def stop(self) -> None:
        """Stop the server and all its workers, drop its database, remove its folder. Safe to repeat."""
        with _running_lock:
            _running.discard(self)
        process, self._process = self._process, None
        for client in [self.client, *self._clients]:
            if client is not None:
                client.close()
        self._clients.clear()
        if process is not None:
            processes.stop_tree(process)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        if self._folder is not None:
            self._final_log = self._read_log()
        from liveproject import kernel  # late: kernel imports Django, which a server does not need

        kernel.forget_server(self)
        if self.database is not None:
            database, self.database = self.database, None
            database.drop()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:  # no port or pid: reprs end up in notebook outputs
        state = "running" if self.running else "stopped"
        return f"<LiveServer {self.kind} ({self.interface}) {state}>"

    # --- what a notebook or test looks at -----------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def database_url(self) -> str | None:
        return self.database.url if self.database is not None else None

    def database_connections(self) -> int | None:
        """How many connections PostgreSQL has open to this server's database (None on SQLite)."""
        if self.database is None or self.database.backend != "postgresql":
            return None
        name = self.database.url.rsplit("/", 1)[1]
        with databases.maintenance_connection() as admin:
            query = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
            return admin.execute(query, [name]).fetchone()[0]

    def send_signal(self, sig: int) -> None:
        """Send `sig` to the server process, as a process manager would (SIGTERM: shut down gracefully)."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(sig)

    def wait_for_exit(self, timeout: float = 10.0) -> float:
        """Wait until the server process has exited; return how long that took (TimeoutError if it did not)."""
        started = time.perf_counter()
        if self._process is not None:
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                raise TimeoutError(f"{self.kind} still running after {timeout} s") from None
        return time.perf_counter() - started

    def worker_pids(self) -> list[int]:
        """The server process and every process it started (gunicorn's workers)."""
        if self._process is None:
            return []
        import psutil

        try:
            root = psutil.Process(self._process.pid)
            return [root.pid, *(child.pid for child in root.children(recursive=True))]
        except psutil.NoSuchProcess:
            return []

    def thread_count(self) -> int:
        """Threads of the server and its workers right now (0 once stopped)."""
        import psutil

        total = 0
        for pid in self.worker_pids():
            with contextlib.suppress(psutil.NoSuchProcess):
                total += psutil.Process(pid).num_threads()
        return total

    def idle_thread_count(self, *, timeout: float = 5.0) -> int:
        """The thread count once it has stopped changing: threads of earlier requests may still be exiting."""
        deadline = time.monotonic() + timeout
        samples = [self.thread_count()]
        while time.monotonic() < deadline:
            time.sleep(0.01)
            samples.append(self.thread_count())
            if len(samples) >= 5 and len(set(samples[-5:])) == 1:
                break
        return samples[-1]

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server and its workers."""
        return processes.cpu_seconds(self._process.pid) if self._process is not None else 0.0

    def _read_log(self) -> str:
        if self._folder is None:  # never started
            return ""
        try:
            return (self._folder / "server.log").read_text(errors="replace")
        except OSError:
            return ""

    def log_text(self) -> str:
        if self._final_log is not None:
            return self._final_log
        return self._read_log() if self._folder is not None else ""

    def log_lines(self, containing: str | None = None) -> list[str]:
        """The server's log, line by line (optionally only lines containing a text)."""
        lines = self.log_text().splitlines()
        return [line for line in lines if containing in line] if containing else lines

    def wait_for_log(self, text: str, *, timeout: float = 5.0) -> str:
        """The first log line containing `text`, waiting up to `timeout` seconds for it to appear."""
        return processes.wait_for_line(self.log_lines, text, timeout=timeout, where="the server log")

    def async_client(self, **kwargs) -> httpx.AsyncClient:
        """A new httpx.AsyncClient for this server (use it in `async with`, so it is closed)."""
        return httpx.AsyncClient(base_url=self.url, timeout=kwargs.pop("timeout", DEFAULT_TIMEOUT), **kwargs)

    def csrf_headers(self) -> dict[str, str]:
        """A CSRF token and its cookie, and no login: for a request whose only fault must be that nobody logged in."""
        with httpx.Client(base_url=self.url, timeout=DEFAULT_TIMEOUT) as client:
            client.get("/auth/csrf/").raise_for_status()
            token = client.cookies["csrftoken"]
        return {"Cookie": f"csrftoken={token}", "X-CSRFToken": token}

    def login_headers(self, username: str = "editor", password: str = databases.SEED_PASSWORD) -> dict[str, str]:
        """Log in through POST /auth/login/ and return the headers of that session: the session cookie
        and the matching X-CSRFToken. Usable with httpx and with the load generator."""
        with httpx.Client(base_url=self.url, timeout=DEFAULT_TIMEOUT) as client:
            client.get("/auth/csrf/").raise_for_status()
            response = client.post(
                "/auth/login/",
                json={"username": username, "password": password},
                headers={"X-CSRFToken": client.cookies["csrftoken"]},
            )
            if response.status_code != 200:
                raise RuntimeError(f"login as {username!r} failed: {response.status_code} {response.text}")
            cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
            return {"Cookie": cookies, "X-CSRFToken": client.cookies["csrftoken"]}

    def login(self, username: str = "editor", password: str = databases.SEED_PASSWORD) -> httpx.Client:
        """A new httpx.Client logged in as `username` (closed when the server stops)."""
        client = httpx.Client(
            base_url=self.url, timeout=DEFAULT_TIMEOUT, headers=self.login_headers(username, password)
        )
        self._clients.append(client)
        return client


def _settings_source(
    *,
    debug: bool,
    extra_middleware: list[str],
    middleware: list[str] | None,
    atomic_requests: bool,
    database: dict,
    loggers: dict[str, str],
    overrides: dict,
) -> str:
    lines = [
        '"""Settings of one LiveServer: the project\'s settings with the changes below."""',
        "",
        "from config.settings import *  # noqa: F403",
        "",
    ]
    if middleware is not None:
        lines.append(f"MIDDLEWARE = {list(middleware)!r}")
    if extra_middleware:
        lines.append(f"MIDDLEWARE = MIDDLEWARE + {extra_middleware!r}  # noqa: F405")
    if atomic_requests:
        lines.append('DATABASES["default"]["ATOMIC_REQUESTS"] = True  # noqa: F405')
    if database:
        lines.append(f'DATABASES["default"].update({database!r})  # noqa: F405')
    for name, level in loggers.items():
        lines.append(
            f'LOGGING["loggers"][{name!r}] = '  # noqa: ISC003
            f'{{"handlers": ["stderr"], "level": {level.upper()!r}, "propagate": False}}  # noqa: F405'
        )
    for name, value in overrides.items():
        if not name.isupper() or not name.isidentifier():
            raise ValueError(f"settings names are UPPER_CASE identifiers, not {name!r}")
        lines.append(f"{name} = {value!r}")
    return "\n".join(lines) + "\n"
