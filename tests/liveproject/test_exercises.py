"""Exercise checks pass the right answer and reject wrong ones with a hint (a check that cannot fail is no check)."""

import asyncio
import contextlib

import pytest

from liveproject.exercises import (
    NotYet,
    check_00_draft_count,
    check_00_request_logged,
    check_00_sync_endpoints,
    check_01_cpu_bound,
    check_01_gthread_prediction,
    check_01_threads_per_request,
    check_02_fan_out_prediction,
    check_02_partial_failure,
    check_02_settle,
    check_03_all_published_slugs,
    check_03_grace_drafts,
    check_03_valid_classes,
    check_04_article_with_author,
    check_04_drafts_per_author,
    check_04_existing_methods,
    check_05_audit,
    check_05_hops,
    check_06_handshake,
    check_06_notify,
    check_06_publish_all,
    check_07_cleanup,
    check_07_first_event,
    check_07_first_events,
    check_08_detail_test,
    check_08_shared_client_fixed,
    check_08_trap_outcomes,
    check_09_deploy_env,
    check_09_gunicorn_command,
    check_09_max_processes,
    check_10_existing,
    check_10_read_without_blocking,
    check_10_verdicts,
)

LINE = "INFO config.access GET /async-status/ 200 101.4ms id=my-id"


class LoggedServer:
    """Stands in for a LiveServer whose log holds `lines`."""

    def __init__(self, *lines):
        self.lines = list(lines)

    def log_lines(self):
        return self.lines


def test_00_1_accepts_the_log_line_of_that_request(capsys):
    check_00_request_logged(LoggedServer("INFO config.access GET /ping/async/ 200 1.0ms id=x", LINE), LINE, "my-id")
    assert capsys.readouterr().out == "Exercise 00.1: correct\n"


@pytest.mark.parametrize(("logged", "line", "request_id"), [
    ([LINE], LINE, "other-id"),
    ([LINE], LINE.replace("/async-status/", "/async-hello/"), "my-id"),
    ([LINE], LINE.replace(" 200 ", " 404 "), "my-id"),
    ([LINE], LINE + "-suffix", "my-id"),
    ([LINE], None, "my-id"),
    ([], LINE, "my-id"),  # typed by hand: the server never logged it
    ([LINE.replace("101.4", "99.0")], LINE, "my-id"),  # a made-up duration
])  # fmt: skip
def test_00_1_rejects_lines_the_server_did_not_log_for_that_request(logged, line, request_id):
    with pytest.raises(NotYet, match="Exercise 00.1: not yet"):
        check_00_request_logged(LoggedServer(*logged), line, request_id)


def test_00_2_accepts_the_draft_count_only():
    check_00_draft_count(20)
    for wrong in [60, 40, "20", None]:
        with pytest.raises(NotYet, match="status='draft'"):
            check_00_draft_count(wrong)


def test_00_3_sees_through_method_decorator():
    from articles.views import ArticleListView
    from liveproject.exercises import _defined_with_async_def

    assert _defined_with_async_def(ArticleListView.as_view())  # its get() is wrapped by method_decorator


def test_00_3_accepts_exactly_the_sync_routes():
    right = ["/ping/sync/", "/wait/sync/", "/compute/sync/", "/where/sync/", "/stream/events/sync/"]
    check_00_sync_endpoints(right)
    check_00_sync_endpoints(tuple(reversed(right)))
    for wrong in [right[:2], [*right, "/async-hello/"], [], "/ping/sync/"]:
        with pytest.raises(NotYet, match="Expected 5 routes"):
            check_00_sync_endpoints(wrong)


def test_01_1_accepts_ceil_of_n_over_threads_times_the_wait():
    check_01_gthread_prediction(0.6)
    for wrong in [0.2 * 12 / 4 + 0.2, 2.4, 0.2, "0.6", None]:
        with pytest.raises(NotYet, match="count the rounds"):
            check_01_gthread_prediction(wrong)


def test_01_2_compares_the_answer_with_the_threads_it_measures_itself(uvicorn_server):
    check_01_threads_per_request(8, uvicorn_server)
    for wrong in [1, 7, 20, 8.0, True, None]:  # too few, too many, or not a count
        with pytest.raises(NotYet, match="one thread per request"):
            check_01_threads_per_request(wrong, uvicorn_server)


def test_01_3_accepts_only_processes():
    check_01_cpu_bound("c")
    for wrong in ["a", "b", "C", None]:
        with pytest.raises(NotYet, match="separate processes"):
            check_01_cpu_bound(wrong)


def test_02_1_accepts_rounds_times_delay():
    check_02_fan_out_prediction(0.9)
    for wrong in [0.3, 1.8, 0.6, None]:
        with pytest.raises(NotYet, match="Count the rounds"):
            check_02_fan_out_prediction(wrong)


def fan_out_answer(*outcomes):
    calls = [{"call": i, "outcome": outcome} for i, outcome in enumerate(outcomes)]
    summary = {kind: list(outcomes).count(kind) for kind in ("ok", "error", "timeout")}
    return {"calls": calls, "summary": summary}


def test_02_2_accepts_one_timeout_one_error_and_a_success():
    check_02_partial_failure(fan_out_answer("ok", "error", "timeout"))
    for wrong in [
        fan_out_answer("ok", "ok"),
        fan_out_answer("error", "timeout"),
        fan_out_answer("ok", "timeout", "timeout", "error"),
        {},
        None,
    ]:
        with pytest.raises(NotYet, match="delay longer than"):
            check_02_partial_failure(wrong)


async def test_02_3_accepts_gather_with_return_exceptions():
    async def settle(coroutines):
        return await asyncio.gather(*coroutines, return_exceptions=True)

    await check_02_settle(settle)


async def sequential(coroutines):
    results = []
    for coroutine in coroutines:
        try:
            results.append(await coroutine)
        except ValueError as exc:
            results.append(exc)
    return results


async def gather_that_raises(coroutines):
    return await asyncio.gather(*coroutines)


async def task_group(coroutines):
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(c) for c in coroutines]
    return [t.result() for t in tasks]


@pytest.mark.parametrize("wrong", [sequential, gather_that_raises, task_group])
async def test_02_3_rejects_sequential_raising_and_cancelling_answers(wrong):
    with pytest.raises(NotYet, match="return_exceptions=True"):
        await check_02_settle(wrong)


def exercise_03_classes(*, mixed_is_all_async=False):
    """The exercise's three classes; with mixed_is_all_async, a Mixed whose delete() is async too (valid)."""
    from django.http import JsonResponse
    from django.views import View

    async def handler(self, request):
        return JsonResponse({})

    def sync_handler(self, request):
        return JsonResponse({})

    def sync_options(self, request, *args, **kwargs):
        return View.options(self, request, *args, **kwargs)

    mixed = type("Mixed", (View,), {"get": handler, "delete": handler if mixed_is_all_async else sync_handler})
    all_async = type("AllAsync", (View,), {"get": handler, "delete": handler})
    with_options = type("AsyncWithSyncOptions", (View,), {"get": handler, "options": sync_options})
    return [mixed, all_async, with_options]


def test_03_1_accepts_the_classes_as_view_accepts():
    classes = exercise_03_classes()
    check_03_valid_classes({"AllAsync", "AsyncWithSyncOptions"}, classes)
    check_03_valid_classes(["AsyncWithSyncOptions", "AllAsync"], tuple(classes))
    for wrong in [{"AllAsync"}, {"Mixed", "AllAsync", "AsyncWithSyncOptions"}, set(), "AllAsync", None]:
        with pytest.raises(NotYet, match="options"):
            check_03_valid_classes(wrong, classes)


def test_03_1_computes_the_truth_from_the_classes_it_is_given():
    # Make Mixed all async: as_view() now accepts all three, so the answer that was right is wrong.
    classes = exercise_03_classes(mixed_is_all_async=True)
    check_03_valid_classes({"Mixed", "AllAsync", "AsyncWithSyncOptions"}, classes)
    with pytest.raises(NotYet, match="options"):
        check_03_valid_classes({"AllAsync", "AsyncWithSyncOptions"}, classes)


def test_03_1_needs_the_exercise_classes():
    classes = exercise_03_classes()
    for wrong_classes in [[], classes[1:], [*classes, classes[0]], None, ["Mixed", "AllAsync", "AsyncWithSyncOptions"]]:
        with pytest.raises(NotYet, match="three classes"):
            check_03_valid_classes({"AllAsync", "AsyncWithSyncOptions"}, wrong_classes)


@pytest.mark.django_db(transaction=True)
async def test_03_2_compares_with_the_database(seeded):
    right = [f"article-{i:02d}" for i in range(40, 0, -1)]
    await check_03_all_published_slugs(right)
    for wrong in [right[:10], list(reversed(right)), right + ["article-41"], None]:
        with pytest.raises(NotYet, match="Expected 40 slugs"):
            await check_03_all_published_slugs(wrong)


def test_03_3_accepts_graces_drafts_only():
    right = {
        "count": 7,
        "slugs": ["article-41", "article-44", "article-47", "article-50", "article-53", "article-56", "article-59"],
    }
    check_03_grace_drafts(right)
    for wrong in [
        {"count": 20, "slugs": []},
        {"count": 6, "slugs": right["slugs"][:6]},
        {"error": "log in first"},
        None,
    ]:
        with pytest.raises(NotYet, match="Log in as grace"):
            check_03_grace_drafts(wrong)


def test_04_1_accepts_exactly_the_existing_methods():
    check_04_existing_methods({"acount", "aaggregate", "aget_or_create", "ain_bulk"})
    for wrong in [{"acount"}, {"acount", "aaggregate", "aget_or_create", "ain_bulk", "aall"}, set(), None]:
        with pytest.raises(NotYet, match="hasattr"):
            check_04_existing_methods(wrong)


@pytest.mark.django_db(transaction=True)
async def test_04_2_requires_the_author_loaded_with_the_article(seeded):
    from articles.models import Article

    check_04_article_with_author(await Article.objects.select_related("author").aget(slug="article-05"))
    for wrong in [
        await Article.objects.aget(slug="article-05"),
        await Article.objects.select_related("author").aget(slug="article-06"),
        None,
    ]:
        with pytest.raises(NotYet, match="select_related"):
            check_04_article_with_author(wrong)


def drafts_per_author_in_one_function():
    from articles.models import Article

    counts = {}
    for article in Article.objects.filter(status=Article.Status.DRAFT).select_related("author"):
        counts[article.author.username] = counts.get(article.author.username, 0) + 1
    return counts


async def drafts_per_author_one_aggregate():
    from django.db.models import Count

    from articles.models import Article

    rows = Article.objects.filter(status="draft").values_list("author__username").annotate(n=Count("id"))
    return {username: n async for username, n in rows}  # async for: one crossing for the whole result


async def drafts_per_author_one_acount_each():
    from articles.models import Article

    usernames = {username async for username in Article.objects.values_list("author__username", flat=True)}
    counts = {}
    for username in sorted(usernames):
        counts[username] = await Article.objects.filter(status="draft", author__username=username).acount()
    return counts  # the right dict, after one crossing per author and one for the list


def returns(value):
    async def answer():
        return value

    return answer


@pytest.mark.django_db(transaction=True)
async def test_04_3_accepts_the_right_counts_made_in_one_crossing(seeded, capsys):
    from asgiref.sync import sync_to_async

    await check_04_drafts_per_author(sync_to_async(drafts_per_author_in_one_function))
    await check_04_drafts_per_author(drafts_per_author_one_aggregate)
    assert capsys.readouterr().out == "Exercise 04.3: correct\n" * 2


@pytest.mark.django_db(transaction=True)
async def test_04_3_rejects_the_right_counts_made_in_several_crossings(seeded):
    assert await drafts_per_author_one_acount_each() == {"ada": 6, "grace": 7, "alan": 7}
    with pytest.raises(NotYet, match="crossed the sync/async boundary 4 times"):
        await check_04_drafts_per_author(drafts_per_author_one_acount_each)


@pytest.mark.django_db(transaction=True)
async def test_04_3_rejects_wrong_counts_and_answers_that_are_not_async_functions(seeded):
    for wrong in [{"ada": 6, "grace": 7}, {"ada": 20}, {"ada": 14, "grace": 13, "alan": 13}, None]:
        with pytest.raises(NotYet, match="grouped by author"):
            await check_04_drafts_per_author(returns(wrong))  # wrong dicts, even with no crossing at all
    called_already = drafts_per_author_one_aggregate()  # its result, not the function: crossings not countable
    for not_async in [{"ada": 6, "grace": 7, "alan": 7}, drafts_per_author_in_one_function, called_already, None]:
        with pytest.raises(NotYet, match="Pass your async function itself"):
            await check_04_drafts_per_author(not_async)


def test_05_1_accepts_the_true_audit_and_rejects_a_wrong_one(settings):
    right = [(path, path.startswith("config.")) for path in settings.MIDDLEWARE]
    check_05_audit(right)
    flags_only = [(path, True) for path in settings.MIDDLEWARE]  # async_capable alone is not enough
    for wrong in [flags_only, right[:-1], list(reversed(right)), None]:
        with pytest.raises(NotYet, match="process_request"):
            check_05_audit(wrong)


async def test_05_2_accepts_the_counts_it_measures_itself_and_rejects_others(settings):
    await check_05_hops({"default": 15, "native": 2, "none": 2})
    for wrong in [
        {"default": 2, "native": 2, "none": 2},
        {"default": 15, "native": 4, "none": 2},
        {"default": 16, "native": 3, "none": 3},  # the right relations between wrong numbers
        {"default": 15},
        None,
    ]:
        with pytest.raises(NotYet, match="count_thread_hops"):
            await check_05_hops(wrong)
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "config.middleware.SyncOnlyMiddleware"]
    with pytest.raises(NotYet, match="count_thread_hops"):  # the truth follows the stack in force
        await check_05_hops({"default": 15, "native": 2, "none": 2})


def publish_all_atomically(*, slugs, published_by):
    from django.db import transaction

    from articles.services import article_publish

    with transaction.atomic():
        for slug in slugs:
            article_publish(slug=slug, published_by=published_by)


def publish_all_one_by_one(*, slugs, published_by):
    from articles.services import article_publish

    for slug in slugs:
        article_publish(slug=slug, published_by=published_by)


def publish_all_swallowing_errors(*, slugs, published_by):
    from articles.services import ArticleAlreadyPublished

    with contextlib.suppress(ArticleAlreadyPublished):
        publish_all_atomically(slugs=slugs, published_by=published_by)


@pytest.mark.django_db(transaction=True)
async def test_06_1_accepts_all_or_nothing_and_can_run_again(seeded):
    from articles.models import Article

    await check_06_publish_all(publish_all_atomically)
    await check_06_publish_all(publish_all_atomically)
    assert await Article.objects.published().acount() == 44
    with pytest.raises(NotYet, match="was published although"):
        await check_06_publish_all(publish_all_one_by_one)
    with pytest.raises(NotYet, match="must raise ArticleAlreadyPublished"):
        await check_06_publish_all(publish_all_swallowing_errors)
    with pytest.raises(NotYet, match="TypeError"):
        await check_06_publish_all(lambda slugs: None)


@pytest.mark.django_db(transaction=True)
async def test_06_2_accepts_a_wait_off_the_orm_thread_only(seeded):
    from asgiref.sync import sync_to_async

    from articles.models import Article

    async def set_after_a_read(ready):
        await Article.objects.acount()
        ready.set()

    def handshake_with(wait):
        async def handshake(ready):
            setter = asyncio.create_task(set_after_a_read(ready))
            answer = await wait(ready)
            await setter
            return answer

        return handshake

    await check_06_handshake(handshake_with(lambda ready: sync_to_async(ready.wait, thread_sensitive=False)(1.0)))
    await check_06_handshake(handshake_with(lambda ready: asyncio.to_thread(ready.wait, 1.0)))
    with pytest.raises(NotYet, match="returned False after 1.0 s"):
        await check_06_handshake(handshake_with(lambda ready: sync_to_async(ready.wait)(1.0)))


async def test_06_3_accepts_asend_only():
    async def with_asend(signal, slug):
        return await signal.asend(sender=None, slug=slug)

    async def with_send(signal, slug):
        return signal.send(sender=None, slug=slug)

    async def without_slug(signal, slug):
        return await signal.asend(sender=None, slug="article-01")

    await check_06_notify(with_asend)
    for wrong in (with_send, without_slug):
        with pytest.raises(NotYet, match="asend"):
            await check_06_notify(wrong)


def test_07_1_accepts_four_intervals():
    check_07_first_event(0.8)
    for wrong in (0.0, 0.2, 1.0, None):
        with pytest.raises(NotYet, match="reads a sync iterator"):
            check_07_first_event(wrong)


async def test_07_2_accepts_cleanup_that_lets_the_cancellation_through():
    async def right(seconds, log):
        try:
            await asyncio.sleep(seconds)
        finally:
            log.append("cleanup")

    async def swallows(seconds, log):
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            log.append("cleanup")

    async def no_cleanup(seconds, log):
        await asyncio.sleep(seconds)

    await check_07_cleanup(right)
    for wrong in (swallows, no_cleanup):
        with pytest.raises(NotYet, match="re-raise"):
            await check_07_cleanup(wrong)


def test_07_3_accepts_reading_three_events_and_hanging_up(uvicorn_server):
    import json

    import httpx

    def right(url, n):
        events = []
        with httpx.Client(timeout=10) as client, client.stream("GET", url) as response:
            for line in response.iter_lines():
                if line.startswith("data: "):
                    events.append(json.loads(line.removeprefix("data: ")))
                    if len(events) == n:
                        break
        return events

    def reads_everything(url, n):
        return [json.loads(line[6:]) for line in httpx.get(url, timeout=10).text.splitlines() if line[:5] == "data:"][
            :n
        ]

    check_07_first_events(right, uvicorn_server)
    with pytest.raises(NotYet, match="iter_lines"):
        check_07_first_events(reads_everything, uvicorn_server)
    with pytest.raises(NotYet, match="iter_lines"):
        check_07_first_events(lambda url, n: [{"n": i} for i in range(n)], uvicorn_server)


TRAPS = """
import pytest
from django.contrib.auth import get_user_model

from articles.models import Article


@pytest.fixture
def article(db):
    author = get_user_model().objects.create(username="writer")
    return Article.objects.create(title="Visible?", slug="visible", body="", status="published", author=author)


@pytest.mark.django_db
async def test_view_sees_fixture_data(async_client, article):
    assert (await async_client.get("/articles/async/visible/")).status_code == 200


@pytest.mark.django_db
async def test_writes_a_row():
    author = await get_user_model().objects.acreate(username="leaker")
    await Article.objects.acreate(title="Leak", slug="leak", body="", author=author)
    assert await Article.objects.filter(slug="leak").aexists()


@pytest.mark.django_db
async def test_starts_from_an_empty_table():
    assert not await Article.objects.filter(slug="leak").aexists()
"""
PYTEST_INI = "[pytest]\nDJANGO_SETTINGS_MODULE = config.settings\nasyncio_mode = auto\n"


def test_08_1_table_matches_what_the_traps_do_on_this_database(tmp_path):
    from liveproject.databases import backend
    from liveproject.exercises import TRAP_OUTCOMES
    from liveproject.pytest_runs import run_pytest

    (tmp_path / "pytest.ini").write_text(PYTEST_INI)
    (tmp_path / "test_traps.py").write_text(TRAPS)
    assert run_pytest(tmp_path).outcomes == TRAP_OUTCOMES[backend()]
    check_08_trap_outcomes({name: dict(table) for name, table in TRAP_OUTCOMES.items()})
    swapped = {"postgresql": TRAP_OUTCOMES["sqlite"], "sqlite": TRAP_OUTCOMES["postgresql"]}
    for wrong in [swapped, {"postgresql": TRAP_OUTCOMES["postgresql"]}, None]:
        with pytest.raises(NotYet, match="uncommitted rows"):
            check_08_trap_outcomes(wrong)


CLIENT_FIXTURE = """
import os

import httpx
import pytest


@pytest.fixture
async def client():
    async with httpx.AsyncClient(base_url=os.environ["SERVER_URL"], timeout=5) as client:
        yield client


async def test_one(client):
    assert (await client.get("/async-hello/")).status_code == 200


async def test_two(client):
    assert (await client.get("/async-hello/")).status_code == 200
"""
SHARED_CLIENT = """
import os

import httpx

SHARED = httpx.AsyncClient(base_url=os.environ["SERVER_URL"], timeout=5)


async def test_one():
    assert (await SHARED.get("/async-hello/")).status_code == 200


async def test_two():
    assert (await SHARED.get("/async-hello/")).status_code == 200
"""
NO_REQUESTS = "def test_one():\n    assert True\n\n\ndef test_two():\n    assert True\n"


def test_08_2_needs_two_passing_tests_that_reach_the_server(tmp_path, uvicorn_server):
    (tmp_path / "pytest.ini").write_text(PYTEST_INI)
    for name, source in [("test_right.py", CLIENT_FIXTURE), ("test_shared.py", SHARED_CLIENT)]:
        (tmp_path / name).write_text(source)
    (tmp_path / "test_vacuous.py").write_text(NO_REQUESTS)
    check_08_shared_client_fixed(tmp_path / "test_right.py", uvicorn_server)
    for wrong in ("test_shared.py", "test_vacuous.py", "test_missing.py"):
        with pytest.raises(NotYet):
            check_08_shared_client_fixed(tmp_path / wrong, uvicorn_server)


DETAIL_TEST = """
import pytest
from django.contrib.auth import get_user_model

from articles.models import Article


@pytest.mark.django_db(transaction=True)
async def test_detail(async_client):
    author = await get_user_model().objects.acreate(username="writer")
    await Article.objects.acreate(title="Hello", slug="hello", body="", status="published", author=author)
    assert (await async_client.get("/articles/async/hello/")).status_code == 200
"""
DETAIL_TEST_ASSERTING_NOTHING = """
import pytest


@pytest.mark.django_db(transaction=True)
async def test_detail(async_client):
    await async_client.get("/articles/async/hello/")
"""


def test_08_3_needs_a_test_that_passes_and_catches_the_broken_view(tmp_path):
    (tmp_path / "pytest.ini").write_text(PYTEST_INI)
    (tmp_path / "test_right.py").write_text(DETAIL_TEST)
    (tmp_path / "test_vacuous.py").write_text(DETAIL_TEST_ASSERTING_NOTHING)
    (tmp_path / "test_wrong.py").write_text(DETAIL_TEST.replace("== 200", "== 201"))
    check_08_detail_test(tmp_path / "test_right.py")
    with pytest.raises(NotYet, match="one must fail"):
        check_08_detail_test(tmp_path / "test_vacuous.py")
    with pytest.raises(NotYet, match="all must pass"):
        check_08_detail_test(tmp_path / "test_wrong.py")


def test_09_1_accepts_whole_processes_never_negative():
    check_09_max_processes(lambda connections, reserved, size: max(0, (connections - reserved) // size))
    for wrong in (
        lambda connections, reserved, size: (connections - reserved) / size,
        lambda connections, reserved, size: connections // size,
        lambda connections, reserved, size: (connections - reserved) // size,  # negative when reserved is large
    ):
        with pytest.raises(NotYet, match="never go below 0"):
            check_09_max_processes(wrong)


def test_09_2_accepts_the_asgi_app_with_uvicorn_worker_only():
    right = [
        "gunicorn",
        "config.asgi:application",
        "-k",
        "uvicorn_worker.UvicornWorker",
        "-w",
        "4",
        "-b",
        "0.0.0.0:8000",
    ]
    check_09_gunicorn_command(right)
    check_09_gunicorn_command(
        [
            "gunicorn",
            "--worker-class",
            "uvicorn_worker.UvicornWorker",
            "--workers",
            "4",
            "--bind",
            "0.0.0.0:8000",
            "config.asgi:application",
        ]
    )
    for wrong in (
        [*right[:1], "config.wsgi:application", *right[2:]],
        [*right[:3], "uvicorn.workers.UvicornWorker", *right[4:]],
        [*right[:5], "2", *right[6:]],
        "gunicorn config.asgi:application",
    ):
        with pytest.raises(NotYet, match="uvicorn_worker.UvicornWorker"):
            check_09_gunicorn_command(wrong)


def test_09_3_runs_check_deploy_with_the_given_environment():
    import secrets

    right = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "shop.example.com",
    }
    check_09_deploy_env(right)
    for wrong in (right | {"DJANGO_DEBUG": "1"}, right | {"DJANGO_SECRET_KEY": "short"}, {"DJANGO_DEBUG": "0"}):
        with pytest.raises(NotYet, match="DJANGO_DEBUG=0"):
            check_09_deploy_env(wrong)


def test_10_1_compares_with_the_installed_queryset():
    from django.db.models import QuerySet

    names = ["avalues", "avalues_list", "aiterator", "ain_bulk", "acontains", "aexplain"]
    right = {name: hasattr(QuerySet, name) for name in names}
    assert right["aiterator"] and not right["avalues"]
    check_10_existing(right)
    for wrong in ({name: True for name in names}, {**right, "acontains": not right["acontains"]}, None):
        with pytest.raises(NotYet, match="hasattr"):
            check_10_existing(wrong)


@pytest.mark.django_db(transaction=True)
async def test_10_2_measures_each_claim_and_accepts_only_what_it_measured(seeded):
    from liveproject.exercises import CLAIMS_10_2, measure_10_2

    truth = await measure_10_2()
    # As Django 5.2 behaves. The third claim depends on the database: pytest-django's in-memory SQLite
    # database serializes connections, so only a file or a server database shows the queries overlapping.
    assert [truth[claim] for claim in CLAIMS_10_2[:2]] == ["FALSE", "FALSE"]
    await check_10_verdicts(truth)
    flipped = {claim: "FALSE" if verdict == "TRUE" else "TRUE" for claim, verdict in truth.items()}
    for wrong in ({claim: "TRUE" for claim in CLAIMS_10_2}, flipped, {}, None):
        with pytest.raises(NotYet, match="differ from what the check measured"):
            await check_10_verdicts(wrong)


async def test_10_3_accepts_a_read_on_a_thread_only():
    def read_text(path):
        with open(path) as file:
            return file.read()

    async def right(path):
        return await asyncio.to_thread(read_text, path)

    async def on_the_loop(path):
        return read_text(path)

    async def coroutine_mistake(path):
        from asgiref.sync import sync_to_async

        pending = sync_to_async(open)(path)
        try:
            return pending.read()
        finally:
            pending.close()

    await check_10_read_without_blocking(right)
    for wrong in (on_the_loop, coroutine_mistake):
        with pytest.raises(NotYet, match="to_thread"):
            await check_10_read_without_blocking(wrong)


def test_project_endpoints_leave_out_the_admin_and_the_students_lab_code():
    from liveproject.exercises import project_endpoints

    routes = [route for route, _ in project_endpoints()]
    assert "/async-hello/" in routes and "/articles/async/<slug:slug>/" in routes
    assert not [route for route in routes if route.startswith(("/admin/", "/labs/"))]
