"""Lab 03's checks read the code with ast (not its words) and watch the server's queries and their threads."""

import pytest

from labs.runner import LabContext, StepFailed, find_lab, load_checks, run_checks

FOLDER = find_lab("03")
CHECKS = load_checks(FOLDER)
SOLUTION = (FOLDER / "solution" / "views.py").read_text()


def context_for(tmp_path, source):
    (tmp_path / "views.py").write_text(source)
    return LabContext(server=None, prefix="", code="student", folder=tmp_path)


def test_words_in_a_docstring_do_not_count_only_calls_do(tmp_path):
    said = SOLUTION.replace(
        "async def newest_async_orm(request):\n",
        'async def newest_async_orm(request):\n    """No sync_to_async here."""\n',
    )
    CHECKS.async_orm_approach(context_for(tmp_path, said))  # a docstring that names sync_to_async is not a call


def test_a_view_made_sync_is_found_through_urlpatterns(tmp_path):
    CHECKS.views_stay_async(context_for(tmp_path, SOLUTION))
    made_sync = SOLUTION.replace("async def newest_titles_page(request):", "def newest_titles_page(request):")
    with pytest.raises(StepFailed, match=r"newest_titles_page \(titles/\)"):
        CHECKS.views_stay_async(context_for(tmp_path, made_sync))


@pytest.mark.live
def test_the_flag_set_in_the_servers_environment_fails_the_guard_step(monkeypatch):
    # Not in the student's file at all: set where the server is started, as `export DJANGO_ALLOW_ASYNC_UNSAFE=1` would.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    report = run_checks("03", "solution", show=lambda line: None)
    failed = {name: message for name, ok, message, _ in report.results if not ok}
    assert list(failed) == ["no query runs on the event loop (Django's guard stays on)"]
    assert "/articles/titles/render/" in failed[next(iter(failed))]
    assert "DJANGO_ALLOW_ASYNC_UNSAFE is not a fix" in failed[next(iter(failed))]


def test_the_async_orm_approach_follows_the_views_calls_into_the_file(tmp_path):
    helper = SOLUTION.replace(
        '        async for article in newest().select_related("author")  # one query, authors included\n',
        "        async for article in rows()\n",
    ).replace(
        "def newest_as_dicts():",
        "async def rows():\n    for row in await fetch():\n        yield row\n\n\n"
        "async def fetch():\n    return await sync_to_async(list)(newest())\n\n\ndef newest_as_dicts():",
    )
    with pytest.raises(StepFailed, match=r"called in fetch"):
        CHECKS.async_orm_approach(context_for(tmp_path, helper))


def test_a_sync_view_behind_an_async_wrapper_is_found(tmp_path):
    wrapped = SOLUTION.replace(
        "@require_GET\nasync def newest_titles_page(request):\n",
        "def page(request):\n    return None\n\n\n@require_GET\nasync def newest_titles_page(request):\n"
        "    return await sync_to_async(page)(request)\n",
    )
    with pytest.raises(StepFailed, match="a sync view behind an async wrapper"):
        CHECKS.views_stay_async(context_for(tmp_path, wrapped))
