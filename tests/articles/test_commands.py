"""check_article_pages: async code in a management command, run the way a student runs it."""

import os
import subprocess
import sys

from liveproject.databases import PROJECT_ROOT


def run_command(*args, database_url):
    return subprocess.run(
        [sys.executable, "manage.py", "check_article_pages", *args],
        cwd=PROJECT_ROOT,
        env=os.environ | {"DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_command_checks_published_pages_concurrently(uvicorn_server):
    done = run_command("--base-url", uvicorn_server.url, "--limit", "12", database_url=uvicorn_server.database_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("checked 12 article pages (200: 12) in ")
    assert len(uvicorn_server.log_lines("GET /articles/async/article-")) >= 12


def test_the_command_refuses_bad_arguments_with_a_message(uvicorn_server):
    done = run_command("--base-url", uvicorn_server.url, "--concurrency", "0", database_url=uvicorn_server.database_url)
    assert done.returncode != 0
    assert "--concurrency must be between 1 and 50" in done.stderr


def test_the_command_fails_when_the_server_does_not_answer(uvicorn_server):
    done = run_command("--base-url", "http://127.0.0.1:9", "--limit", "2", database_url=uvicorn_server.database_url)
    assert done.returncode != 0
    assert "checked 2 article pages (ConnectError: 2)" in done.stdout
    assert "some article pages did not answer 200" in done.stderr
