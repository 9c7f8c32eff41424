"""The course's commands. `python -m pip install nox` once, then:

    nox                    every test: the project's tests and every notebook, executed and compared (SQLite)
    nox -s fast            the in-process tests only (no server, no subprocess): the quick loop while coding
    nox -s live            the tests that start servers or other processes
    nox -s notebooks       the notebooks only, executed and compared (all, or the ones named after --)
    nox -s tests_postgres  the same against PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/course)
    nox -s tests_django6   the same on the Django 6.x track (SQLite): Python 3.12 or newer, requirements-django6.txt
    nox -s course          JupyterLab at chapters/00-start-here.ipynb, with the project's database ready
    nox -s course_django6  the same on the Django 6.x track, at chapter 13 (what changes on Django 6)
    nox -s serve           the project under uvicorn on http://127.0.0.1:8000, with a seeded database
    nox -s execute         re-run notebooks in place to refresh their outputs (all, or the ones named after --)
    nox -s notebook_diffs  make `git diff` show notebook changes cell by cell (nbdime), for reviewing a refresh
    nox -s lint            ruff on the .py files and the notebooks, mypy on liveproject/ and labs/*.py
    nox -s bench           the headline measurement: concurrency against every server, as a table and a plot
    nox -s lab -- 01       check lab 01 (your labs/01-*/views.py); add --solution for the reference solution,
                           or --reset to put the starter code back (your version is kept as views.py.bak);
                           on PostgreSQL when DATABASE_URL names it, else on SQLite

Arguments after `--` are passed through, e.g. `nox -s tests -- -k middleware`
or `nox -s execute -- chapters/00-start-here.ipynb`. Each session installs the pinned requirements.txt
into its own virtual environment under .nox/, with the Python that runs nox (3.11 or newer).
"""

import hashlib
import os
import shutil
import socket
from pathlib import Path
from urllib.parse import urlsplit

import nox

ROOT = Path(__file__).parent
NOTEBOOK_DIRS = ["chapters", "labs"]
REQUIREMENTS = "requirements.txt"  # the default track: Django 5.2 LTS, on Python 3.11 or newer
REQUIREMENTS_DJANGO6 = "requirements-django6.txt"  # the Django 6.x track, on Python 3.12 or newer
OVERLAY_PINS = ("django==", "django-tasks==")  # Django 5.2 beside 6.x, for chapter 13's side-by-side experiments
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/course"
SQLITE = {"DATABASE_URL": ""}  # an empty DATABASE_URL selects the SQLite file beside manage.py

nox.options.sessions = ["tests"]
nox.options.reuse_venv = "yes"


def install(session: nox.Session, requirements: str = REQUIREMENTS) -> None:
    """Install the pinned requirements and the project, once per environment and version of the pins.

    A stamp in the environment records what was installed (a hash of the requirements file and pyproject.toml): a
    second `nox -s lab -- 01` starts its checks in seconds instead of asking pip again, and a changed pin
    reinstalls. `--no-reuse-existing-virtualenvs` (or deleting .nox/) starts from nothing."""
    inputs = (requirements, "pyproject.toml", *([REQUIREMENTS] if requirements == REQUIREMENTS_DJANGO6 else []))
    wanted = hashlib.sha256(b"".join((ROOT / name).read_bytes() for name in inputs)).hexdigest()
    stamp = Path(session.virtualenv.location) / ".course-installed"
    if stamp.is_file() and stamp.read_text() == wanted:
        session.log(f"the pinned requirements are already installed in {session.virtualenv.location}")
        return
    session.install("-r", requirements)
    session.install("--no-deps", "-e", ".")
    if requirements == REQUIREMENTS_DJANGO6:
        # Chapter 13 runs each experiment on Django 5.2 beside 6.x: 5.2 and the tasks backport, at requirements.txt's
        # pins, go into a folder of their own that only a process started with it on PYTHONPATH imports
        # (liveproject/versions.py).
        pins = [line for line in (ROOT / REQUIREMENTS).read_text().splitlines() if line.startswith(OVERLAY_PINS)]
        overlay = Path(session.virtualenv.location) / "django-5.2"
        session.install("--no-deps", "--upgrade", "--target", str(overlay), *pins)
    # matplotlib builds its font cache on first import and says so on stderr: do it here, not in a notebook.
    # run_install: this belongs to installing, so it also runs under `nox --install-only` (session.run would not).
    session.run_install("python", "-c", "import matplotlib.font_manager", silent=True)
    stamp.write_text(wanted)


# Debian packages some tests and chapter cells use, each with the names its program may be found by.
DEBIAN_TOOLS = {
    "chromium": ("chromium", "chromium-browser"),  # the browser tests and chapter 11's screenshots (Playwright)
    "nginx": ("nginx", "/usr/sbin/nginx"),  # the reverse proxy of chapters 09c and 11 (liveproject/proxy.py)
    "openssl": ("openssl",),  # the certificate of chapter 09c's TLS-terminating proxy (ReverseProxy(tls=True))
    "pgbouncer": ("pgbouncer", "/usr/sbin/pgbouncer"),  # chapter 09e's connection pooler (liveproject/bouncer.py)
}


def debian_tools(session: nox.Session) -> None:
    """Debian's chromium (Playwright drives it; it downloads no browser of its own), nginx, openssl and pgbouncer,
    installed here where this machine allows it (root with apt-get, as in CI); elsewhere what needs them is skipped,
    and says how to install them."""
    missing = [package for package, names in DEBIAN_TOOLS.items() if not any(map(shutil.which, names))]
    if not missing:
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        quiet = {"DEBIAN_FRONTEND": "noninteractive"}
        session.run_install("apt-get", "update", "-qq", external=True, env=quiet)
        session.run_install("apt-get", "install", "-y", "-qq", *missing, external=True, env=quiet)
    else:
        names = " ".join(missing)
        session.log(f"no {names} here: what needs them is skipped (as root: apt-get install {names})")


def notebook_paths() -> list[str]:
    found = []
    for folder in NOTEBOOK_DIRS:
        found += sorted(
            str(path.relative_to(ROOT))
            for path in (ROOT / folder).rglob("*.ipynb")
            if ".ipynb_checkpoints" not in path.parts
        )
    return found


def names_a_path(arg: str) -> bool:
    """Whether a pytest argument names something to run: a file or folder, or a test in one (path::name)."""
    return not arg.startswith("-") and (ROOT / arg.split("::")[0]).exists()


def pytest_command(session: nox.Session, targets=("tests", *NOTEBOOK_DIRS), *selection: str) -> list[str]:
    # Strict nbval: every stored output is compared, with the sanitizer applied to both sides. The arguments after
    # `--` go to pytest as given (`-k middleware` keeps its value); `targets` run unless one of them names a path.
    folders = [target for target in targets if (ROOT / target).is_dir()]
    defaults = [] if any(names_a_path(arg) for arg in session.posargs) else folders
    return [
        "pytest",
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        "nbval_sanitize.cfg",
        "--nbval-cell-timeout=180",
        *selection,
        *session.posargs,
        *defaults,
    ]


@nox.session
def tests(session: nox.Session) -> None:
    """Every test on SQLite: the project's tests and every notebook, executed and compared."""
    install(session)
    debian_tools(session)
    session.run(*pytest_command(session), env=SQLITE)


@nox.session
def fast(session: nox.Session) -> None:
    """The tests that run in this process (Client/AsyncClient, the checks of notebooks' static rules): no server,
    no subprocess. The loop to run while changing code."""
    install(session)
    session.run(*pytest_command(session, ("tests",), "-m", "not live"), env=SQLITE)


@nox.session
def live(session: nox.Session) -> None:
    """The tests that start servers or other processes (marked live): real servers, the labs' checks, pytest runs."""
    install(session)
    debian_tools(session)
    session.run(*pytest_command(session, ("tests",), "-m", "live"), env=SQLITE)


@nox.session
def notebooks(session: nox.Session) -> None:
    """Every chapter and lab notebook, executed and compared with its stored outputs (or those named after --)."""
    install(session)
    debian_tools(session)
    session.run(*pytest_command(session, NOTEBOOK_DIRS), env=SQLITE)


@nox.session
def tests_postgres(session: nox.Session) -> None:
    """The same suite against PostgreSQL (psycopg 3 with Django's connection pool)."""
    url = os.environ.get("DATABASE_URL") or DEFAULT_POSTGRES_URL
    if not url.startswith(("postgres://", "postgresql://")):
        session.error(f"DATABASE_URL must be a postgres:// URL for this session, not {url!r}")
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), timeout=5).close()
    except OSError as exc:
        session.error(f"PostgreSQL is not reachable at {parts.hostname}:{parts.port or 5432} ({exc})")
    install(session)
    debian_tools(session)
    session.run(*pytest_command(session), env={"DATABASE_URL": url})


def newer_python() -> str:
    """A Python for the Django 6.x track (3.12 or newer): python3.12 (requirements-django6.txt was compiled on it),
    else python3.13, on PATH, else one that pyenv installed but has not activated (pyenv's shims run only the active
    version, and nox finds only those).
    Where there is none, nox stops with "Python interpreter >=3.12 not found" (nox.options below): install one, for
    example `pyenv install 3.12` or `uv python install 3.12`, and run the session again."""
    for name in ("python3.12", "python3.13"):
        found = shutil.which(name)
        if found and "shims" not in Path(found).parts:
            return found
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for name in ("python3.12", "python3.13"):
        installed = sorted(versions.glob(f"3.1[23].*/bin/{name}"))
        if installed:
            return str(installed[-1])
    return ">=3.12"


# A session whose Python is missing fails (nox would otherwise skip it, and the run would still succeed).
nox.options.error_on_missing_interpreters = True


@nox.session(python=newer_python())
def tests_django6(session: nox.Session) -> None:
    """The suite on the Django 6.x track (requirements-django6.txt): the project's tests and every notebook,
    executed and compared on SQLite. The notebooks print version-labelled lines where the two versions differ."""
    install(session, REQUIREMENTS_DJANGO6)
    debian_tools(session)
    session.run(*pytest_command(session), env=SQLITE)


def prepare_database(session: nox.Session) -> None:
    session.run("python", "manage.py", "migrate", "--noinput", "-v0")
    session.run("python", "manage.py", "seed_articles")


@nox.session
def serve(session: nox.Session) -> None:
    """The project under uvicorn on 127.0.0.1:8000, reloading on code changes, with a migrated, seeded database
    (Ctrl+C stops it)."""
    install(session)
    prepare_database(session)
    # --reload restarts the server when a file changes; --lifespan off: Django has no lifespan handler (chapter 09a).
    command = ["uvicorn", "config.asgi:application", "--lifespan", "off", "--reload", "--port", "8000"]
    session.run(*command, *session.posargs)


START_LABS = "from labs.loading import lab_folders, start_from_starter\nfor f in lab_folders(): start_from_starter(f)"


@nox.session
def course(session: nox.Session) -> None:
    """JupyterLab at chapter 00, with the project's own database migrated and seeded."""
    open_course(session, REQUIREMENTS, "chapters/00-start-here.ipynb")


@nox.session(python=newer_python())
def course_django6(session: nox.Session) -> None:
    """JupyterLab on the Django 6.x track (Python 3.12+), at chapter 13: what changes on Django 6."""
    open_course(session, REQUIREMENTS_DJANGO6, "chapters/13-django-6.ipynb")


def open_course(session: nox.Session, requirements: str, first: str) -> None:
    install(session, requirements)
    prepare_database(session)
    # Each lab's working file (labs/NN-name/views.py) is the student's own copy of its starter, made once.
    session.run("python", "-c", START_LABS, silent=True)
    # JupyterLab refuses to start as root (containers, CI machines) unless told that it is deliberate.
    as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    session.run(
        "jupyter", "lab", f"--ServerApp.root_dir={ROOT}",  # the whole course in the file browser
        f"--LabApp.default_url=/lab/tree/{first}", *as_root, *session.posargs,
    )  # fmt: skip


@nox.session
def execute(session: nox.Session) -> None:
    """Re-execute notebooks top to bottom and save their outputs (all notebooks, or those given after --)."""
    install(session)
    debian_tools(session)
    targets = session.posargs or notebook_paths()
    for notebook in targets:
        session.run(
            "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
            "--ExecutePreprocessor.timeout=300",
            "--ExecutePreprocessor.record_timing=False",  # no timestamps: a refresh diffs only real changes
            notebook, env=SQLITE,
        )  # fmt: skip
        session.run("python", "-c", FORGET_PYTHON_PATCH_VERSION, notebook, silent=True)


# A notebook stores the kernel's Python version (3.11.7 here, 3.11.9 elsewhere): a refresh on another machine would
# change that line and nothing else. The version is machine-specific and no cell needs it: it is left out.
FORGET_PYTHON_PATCH_VERSION = """
import sys, nbformat
notebook = nbformat.read(sys.argv[1], as_version=4)
if notebook.metadata.get("language_info", {}).pop("version", None) is not None:
    nbformat.write(notebook, sys.argv[1])
"""


@nox.session
def notebook_diffs(session: nox.Session) -> None:
    """Make this clone's `git diff` and `git show` read a notebook change as cells and outputs (nbdime).

    .gitattributes already names the driver for *.ipynb; this sets its command in .git/config, with the path of
    nbdime in this session's environment, so it works without activating anything. Undo with
    `git config --unset diff.jupyternotebook.command`."""
    install(session)
    driver = Path(session.bin) / "git-nbdiffdriver"
    session.run("git", "config", "diff.jupyternotebook.command", f"{driver} diff", external=True)
    session.log("git diff now shows notebooks cell by cell; `git diff --no-ext-diff` shows the raw JSON")


@nox.session
def lab(session: nox.Session) -> None:
    """Check a lab against a live server: `nox -s lab -- 01`, `-- 01 --solution`, or `-- 01 --reset`.

    The checks use the database DATABASE_URL names (PostgreSQL), or SQLite when it is unset or empty, as every
    LiveServer does; the report's first line says which."""
    if not session.posargs:
        session.error("which lab? for example: nox -s lab -- 01   (labs/ lists them)")
    number, *flags = session.posargs
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        try:
            socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), timeout=5).close()
        except OSError as exc:
            session.error(
                f"DATABASE_URL names PostgreSQL at {parts.hostname}:{parts.port or 5432}, unreachable ({exc})"
            )
    install(session)
    if "--reset" in flags:
        session.run("python", "-m", "labs", "reset", number)
        return
    session.run("python", "-m", "labs", "check", number, *flags, env={"DATABASE_URL": url})


@nox.session
def lint(session: nox.Session) -> None:
    """ruff on the .py files and the notebooks (formatting and lint), then mypy on the type hints of the course's
    package and the labs runner (the files pyproject.toml's [tool.mypy] names)."""
    pins = (ROOT / "requirements.txt").read_text().splitlines()
    linters = [next(line for line in pins if line.startswith(f"{name}==")) for name in ("ruff", "mypy")]
    # Only the linters, not the course's packages; `-c` holds mypy's own dependencies to their pins as well.
    session.install(*linters, "-c", "requirements.txt")
    session.run("ruff", "check", ".", *session.posargs)
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session
def bench(session: nox.Session) -> None:
    """The course's headline measurement; writes benchmarks/results/bench.md and bench.png."""
    install(session)
    output = ROOT / "benchmarks" / "results"
    session.run("python", "-m", "liveproject.bench", "--out", str(output), *session.posargs, env=SQLITE)
