"""liveproject.versions: one function, run on Django 5.2 and on 6.x side by side (the 6.x track only)."""

import django
import pytest

from liveproject import versions

on_the_6x_track = pytest.mark.skipif(
    django.VERSION < (6, 0) or not (versions.OVERLAY / "django").is_dir(),
    reason="the 6.x track's environment (nox -s tests_django6) holds Django 5.2 beside 6.x",
)


def django_version_and_paginators():
    import django
    import django.core.paginator as paginator

    return django.get_version(), sorted(name for name in dir(paginator) if name.endswith("Paginator"))


async def count_articles(extra):
    from articles.models import Article

    return await Article.objects.acount() + extra


def fails():
    raise LookupError("on purpose")


@pytest.mark.skipif(django.VERSION >= (6, 0), reason="the 5.2 track's kernel")
def test_the_52_track_says_where_the_chapter_runs():
    with pytest.raises(versions.OtherVersionMissing, match="nox -s course_django6"):
        versions.versions()


@on_the_6x_track
@pytest.mark.live
def test_a_function_runs_on_each_version_in_a_process_of_its_own():
    old, new = versions.versions()
    both = versions.on_both(django_version_and_paginators)
    assert both[old][0].startswith("5.2.")
    assert both[new][0] == django.get_version()
    assert "AsyncPaginator" not in both[old][1]
    assert "AsyncPaginator" in both[new][1]


@on_the_6x_track
@pytest.mark.live
def test_each_version_reads_its_own_seeded_database_and_awaits_a_coroutine_function():
    assert versions.run_on("5.2", count_articles, 1) == 61  # 60 seeded articles, + the argument


@on_the_6x_track
@pytest.mark.live
def test_a_failure_shows_the_other_processs_traceback():
    with pytest.raises(RuntimeError, match="LookupError: on purpose"):
        versions.run_on("5.2", fails)
    assert versions.run_on("5.2", fails, catch=True) == {"raised": "LookupError", "message": "on purpose"}
    with pytest.raises(ValueError, match="must be '5.2' or"):
        versions.run_on("4.2", fails)


@on_the_6x_track
def test_only_a_plain_function_travels():
    with pytest.raises(ValueError, match="only a plain function"):
        versions.run_on("5.2", lambda: 1)


def start_a_sleeper_and_wait():
    import subprocess
    import sys
    import time

    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    print("sleeper", sleeper.pid, flush=True)
    time.sleep(60)


def add_an_article():
    from django.contrib.auth import get_user_model

    from articles.models import Article

    Article.objects.create(slug="added-before", title="Added before", author=get_user_model().objects.first())


def count_all_articles():
    from articles.models import Article

    return Article.objects.count()


@on_the_6x_track
@pytest.mark.live
def test_a_run_past_its_timeout_is_stopped_with_what_it_started(monkeypatch):
    import re

    import psutil

    with pytest.raises(RuntimeError, match="ran longer than 3 s") as failure:
        versions.run_on("5.2", start_a_sleeper_and_wait, timeout=3)
    sleeper = int(re.search(r"sleeper (\d+)", str(failure.value)).group(1))
    assert not psutil.pid_exists(sleeper) or psutil.Process(sleeper).status() == psutil.STATUS_ZOMBIE


@on_the_6x_track
@pytest.mark.live
def test_before_runs_first_on_the_same_database_and_the_version_is_checked(monkeypatch):
    assert versions.run_on("5.2", count_all_articles, before=add_an_article) == 61
    # 5.2's folder on this process's PYTHONPATH must not leak into a 6.x run
    monkeypatch.setenv("PYTHONPATH", str(versions.OVERLAY))
    assert versions.run_on(versions.versions()[1], django_version_and_paginators)[0] == django.get_version()


def record_a_mark():
    import articles.models

    articles.models.COURSE_MARK = "set by before"


def raise_lookup_error():
    raise LookupError("no article")


def read_the_mark():
    import articles.models

    return getattr(articles.models, "COURSE_MARK", None)


@on_the_6x_track
@pytest.mark.live
def test_after_runs_last_in_the_same_process_also_when_the_function_raised():
    marked = versions.run_on("5.2", count_all_articles, before=record_a_mark, after=read_the_mark)
    assert marked == (60, "set by before")
    caught = versions.run_on("5.2", raise_lookup_error, catch=True, before=record_a_mark, after=read_the_mark)
    assert caught == ({"raised": "LookupError", "message": "no article"}, "set by before")
    assert versions.run_on("5.2", count_all_articles, after=read_the_mark) == (60, None)
