"""Is this machine ready for the course? Run `python -m liveproject.env_check`, or see chapter 00.

Each line is one check and its verdict. Versions are compared with requirements.txt (requirements-django6.txt on
the Django 6.x track), because every number and output in the notebooks was produced with exactly those versions.
"""

from __future__ import annotations

import os
import platform
import socket
import sys
from importlib import metadata
from urllib.parse import urlsplit

from liveproject.databases import PROJECT_ROOT, backend, base_database_url

KEY_PACKAGES = [
    "django", "asgiref", "uvicorn", "gunicorn", "uvicorn-worker", "httpx", "aiohttp",
    "psycopg", "dj-database-url", "nbval", "pytest-django",
]  # fmt: skip


OPERATING_SYSTEMS = {"Linux": "Linux", "Darwin": "macOS"}  # platform.system() -> the name printed


def requirements_file() -> str:
    """The pins of this environment's track: requirements-django6.txt where Django 6 is installed (`nox -s
    tests_django6`, `nox -s course_django6`), requirements.txt everywhere else."""
    try:
        major = int(metadata.version("django").split(".")[0])
    except metadata.PackageNotFoundError:
        major = 0
    return "requirements-django6.txt" if major >= 6 else "requirements.txt"


def pinned_versions() -> dict[str, str]:
    pins = {}
    for line in (PROJECT_ROOT / requirements_file()).read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip().lower()] = version.strip()
    return pins


def postgres_address() -> tuple[str, int]:
    url = base_database_url() if backend() == "postgresql" else "postgres://127.0.0.1:5432/"
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 5432


def reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return False
    return True


def checks() -> list[tuple[str, str, bool]]:
    """(what, finding, ok) for everything the course needs."""
    system = platform.system()
    rows = [
        ("Python", platform.python_version(), sys.version_info >= (3, 11)),
        # gunicorn and the servers' process handling need a Unix: Linux (WSL2 on Windows is Linux) or macOS.
        ("operating system", OPERATING_SYSTEMS.get(system, system), system in OPERATING_SYSTEMS),
        ("CPU cores", str(os.cpu_count()), (os.cpu_count() or 1) >= 2),
    ]
    pins = pinned_versions()
    for name in KEY_PACKAGES:
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            rows.append((name, "not installed", False))
            continue
        wanted = pins.get(name)
        rows.append((name, installed, installed == wanted))
    track = "PostgreSQL" if backend() == "postgresql" else "SQLite"
    rows.append(("database track", track, True))
    host, port = postgres_address()
    is_up = reachable(host, port)
    # PostgreSQL is optional unless DATABASE_URL asks for it.
    rows.append((f"PostgreSQL at {host}:{port}", "reachable" if is_up else "not reachable", is_up or track == "SQLite"))
    return rows


def report() -> bool:
    """Print one line per check; True when everything the course needs is there."""
    rows = checks()
    width = max(len(what) for what, _, _ in rows)
    for what, finding, ok in rows:
        print(f"{'ok  ' if ok else 'FIX '} {what:<{width}}  {finding}")
    return all(ok for _, _, ok in rows)


if __name__ == "__main__":
    sys.exit(0 if report() else 1)
