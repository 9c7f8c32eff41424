"""run_pytest: a pytest session in a subprocess, read test by test, with a test database of its own."""

from liveproject import databases
from liveproject.pytest_runs import run_pytest

INI = "[pytest]\nDJANGO_SETTINGS_MODULE = config.settings\nasyncio_mode = auto\n"
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
        with databases._maintenance_connection() as conn:
            left = conn.execute("SELECT count(*) FROM pg_database WHERE datname LIKE 'test_liveproject_pytest_%'")
            assert left.fetchone()[0] == 0


def test_a_session_that_collects_nothing_says_so(tmp_path):
    (tmp_path / "pytest.ini").write_text(INI)
    run = run_pytest(tmp_path)
    assert run.returncode == 5 and run.outcomes == {}  # pytest's exit code for "no tests collected"


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
    assert broken.outcomes == {"test_detail": "failed"} and "404" in broken.messages["test_detail"]
