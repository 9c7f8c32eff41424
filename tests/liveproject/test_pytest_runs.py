"""run_pytest: a pytest session in a subprocess, read test by test, with a test database of its own."""

import os

import pytest

from liveproject import databases
from liveproject.pytest_runs import run_pytest

pytestmark = pytest.mark.live  # every test here starts a pytest session in a subprocess

INI = (
    "[pytest]\nDJANGO_SETTINGS_MODULE = config.settings\nasyncio_mode = auto\n"
    "asyncio_default_fixture_loop_scope = function\n"
)
TESTS = """
import pytest
from articles.models import Article


def test_passes():
    assert 1 + 1 == 2


def test_fails():
    assert 1 + 1 == 3, "arithmetic is broken"


@pytest.mark.django_db(transaction=True)
async def test_uses_the_database():
    assert await Article.objects.acount() == 0
"""


def test_outcomes_and_messages_are_read_per_test(tmp_path):
    (tmp_path / "pytest.ini").write_text(INI)
    (tmp_path / "test_sample.py").write_text(TESTS)
    run = run_pytest(tmp_path)
    assert run.returncode == 1
    assert run.outcomes == {"test_passes": "passed", "test_fails": "failed", "test_uses_the_database": "passed"}
    assert run.counts == {"failed": 1, "passed": 2}
    assert "arithmetic is broken" in run.messages["test_fails"]
    if databases.backend() == "postgresql":
        with databases.maintenance_connection() as conn:
            mine = f"test_liveproject_pytest_{os.getpid()}_%"  # this run's: another run may be going on
            left = conn.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s", [mine])
            assert left.fetchone()[0] == 0


def test_a_session_that_collects_nothing_says_so(tmp_path):
    (tmp_path / "pytest.ini").write_text(INI)
    run = run_pytest(tmp_path)
    assert run.returncode == 5
    assert run.outcomes == {}


def test_settings_overrides_run_the_same_tests_against_a_broken_variant(tmp_path):
    (tmp_path / "pytest.ini").write_text(INI)
    (tmp_path / "test_detail.py").write_text(
        "import pytest\n\n\n"
        "@pytest.mark.django_db(transaction=True)\n"
        "async def test_detail(async_client):\n"
        "    from django.core.management import call_command\n"
        "    from asgiref.sync import sync_to_async\n"
        "    await sync_to_async(call_command)('seed_articles', password='x', verbosity=0)\n"
        "    assert (await async_client.get('/articles/async/article-01/')).status_code == 200\n"
    )
    assert run_pytest(tmp_path).outcomes == {"test_detail": "passed"}
    broken = run_pytest(tmp_path, settings={"ROOT_URLCONF": "liveproject.broken_urls.article_detail_404"})
    assert broken.outcomes == {"test_detail": "failed"}
    assert "404" in broken.messages["test_detail"]


def test_warnings_are_reported_not_hidden(tmp_path):
    # Without the loop-scope setting pytest-asyncio warns while pytest configures itself (on stderr), and a
    # warning a test issues lands in pytest's warnings summary (on stdout): both must reach the caller.
    (tmp_path / "pytest.ini").write_text("[pytest]\nDJANGO_SETTINGS_MODULE = config.settings\nasyncio_mode = auto\n")
    (tmp_path / "test_warns.py").write_text(
        "import warnings\n\n\ndef test_warns():\n    warnings.warn(UserWarning('something to look at'))\n"
    )
    run = run_pytest(tmp_path, env={"PY_COLORS": "1", "FORCE_COLOR": "1"})  # a notebook kernel may force colours
    assert run.outcomes == {"test_warns": "passed"}
    assert "UserWarning: something to look at" in run.warnings
    assert any(
        line.startswith("PytestDeprecationWarning:") and "asyncio_default_fixture_loop_scope" in line
        for line in run.warnings
    ), run.warnings


def test_a_clean_session_has_no_warnings_and_durations_per_test(tmp_path):
    (tmp_path / "pytest.ini").write_text(INI)
    (tmp_path / "test_clean.py").write_text(
        "import time\n\n\ndef test_quick():\n    pass\n\n\n"
        "def test_slow(record_property):\n    time.sleep(0.3)\n    record_property('slept', 0.3)\n"
    )
    run = run_pytest(tmp_path)
    assert run.outcomes == {"test_quick": "passed", "test_slow": "passed"}
    assert run.warnings == [], run.output  # record_property included: the report format accepts it
    assert run.durations["test_slow"] >= 0.29 > run.durations["test_quick"]
    assert run.properties == {"test_slow": {"slept": "0.3"}}
