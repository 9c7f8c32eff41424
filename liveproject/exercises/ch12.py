"""Exercise checks for chapters/12-apis-and-background-work.ipynb (how they work: liveproject.exercises).

Each check calls your async function itself, with an argument it picks at random, and measures what the call did
(its crossings between async and sync code, the rows it left in the database), so nothing is taken on trust."""

from __future__ import annotations

import inspect
import random
from typing import Any
from uuid import UUID

from liveproject.exercises.common import judge


async def _call_counting(function: object, *args: Any) -> tuple[bool, Any, list[str], BaseException | None]:
    """(whether `function(*args)` gave an awaitable, what it returned, its crossings, the exception it raised)."""
    from liveproject.kernel import counting_crossings

    if inspect.iscoroutine(function):
        function.close()  # called already, not awaited: close it, so Python does not warn that it never ran
    with counting_crossings() as crossings:
        try:
            awaitable = function(*args) if callable(function) else None
            if not inspect.isawaitable(awaitable):
                return False, awaitable, crossings, None
            return True, await awaitable, crossings, None
        except Exception as error:  # the student's code failing is an answer too: the hint says why
            return True, None, crossings, error


def _not_async(exercise: str) -> None:
    judge(exercise, False, "Pass your async function itself, not a call of it: the check calls it and awaits it.")


async def check_12_serializable_page(load_page: object) -> None:
    """Exercise 12.1: `load_page(page)` returns the published articles of page `page` (ten a page, newest first) so
    that DRF's ArticleSerializer(rows, many=True).data works in async code, in at most two crossings."""
    from django.core.exceptions import SynchronousOnlyOperation

    from api.serializers import ArticleSerializer
    from articles.models import Article

    page = random.randint(1, 4)
    published = Article.objects.published().order_by("-published_at", "-created_at")
    truth = [slug async for slug in published.values_list("slug", flat=True)[(page - 1) * 10 : page * 10]]
    is_async, rows, crossings, error = await _call_counting(load_page, page)
    if not is_async:
        _not_async("Exercise 12.1")
    if error is None:
        try:
            data = ArticleSerializer(rows, many=True).data  # here, in async code, as an async view would
        except SynchronousOnlyOperation as lazy:
            error = lazy
        except (TypeError, AttributeError) as wrong:
            error = wrong
    if isinstance(error, SynchronousOnlyOperation) and not isinstance(rows, list | tuple):
        hint = "A queryset is lazy: serializing it ran its query here, in async code. Return a list (async for)."
    elif isinstance(error, SynchronousOnlyOperation):
        hint = "Serializing ran a query in async code: each row's author was not loaded. Load it in the same query."
    elif error is not None:
        hint = f"Your function or the serializer raised {type(error).__name__}: {error}"
    elif [row["slug"] for row in data] != truth:
        hint = f"Page {page} should hold {truth[:2]}...: ten published articles a page, newest publication first."
    else:
        hint = f"Right rows, but {len(crossings)} crossings ({', '.join(crossings)}): load the page in one `async for`."
    judge("Exercise 12.1", error is None and [row["slug"] for row in data] == truth and len(crossings) <= 2, hint)


async def check_12_enqueue(announce: object) -> None:
    """Exercise 12.2: `announce(slug)` enqueues articles.tasks.article_announce for `slug` and returns the id of its
    result at once, without running it: a worker will."""
    from django_tasks_db.models import DBTaskResult

    from articles.models import Article

    slug = random.choice([slug async for slug in Article.objects.values_list("slug", flat=True)])
    before = await DBTaskResult.objects.acount()
    is_async, returned, _, error = await _call_counting(announce, slug)
    if not is_async:
        _not_async("Exercise 12.2")
    row = await DBTaskResult.objects.filter(id=str(returned)).afirst() if isinstance(returned, str | UUID) else None
    # slug=slug, and work_seconds only if it is its default, 0: the same announcement
    same_task = row is not None and _announces(row.args_kwargs, slug)
    if error is not None:
        hint = f"Your function raised {type(error).__name__}: {error}"
    elif row is None:
        hint = (
            "No task with the id you returned is waiting in the database. Enqueue with "
            "`result = await article_announce.aenqueue(slug=slug)` and return result.id; calling the task's function "
            "(call, acall) or asyncio.create_task runs it here, in the request, instead."
        )
    elif row.task_path != "articles.tasks.article_announce" or not same_task:
        hint = f"The task you enqueued is {row.task_path} with {row.args_kwargs}; enqueue article_announce(slug=slug)."
    else:
        hint = f"The task is {row.status}, not READY: enqueue it, and leave running it to the worker."
    ok = (
        row is not None
        and row.status == "READY"
        and row.task_path == "articles.tasks.article_announce"
        and same_task
        and await DBTaskResult.objects.acount() == before + 1
    )
    if row is not None:
        await row.adelete()  # the check's own task: no worker should announce it later
    judge("Exercise 12.2", ok, hint)


def _announces(args_kwargs: dict, slug: str) -> bool:
    """Whether a task's recorded arguments announce `slug` with no extra work: slug=slug (by keyword, as the task
    requires), work_seconds absent or 0."""
    kwargs = args_kwargs.get("kwargs") or {}
    return (
        not args_kwargs.get("args")
        and kwargs.get("slug") == slug
        and kwargs.get("work_seconds", 0) == 0
        and (set(kwargs) <= {"slug", "work_seconds"})
    )


async def check_12_one_trip_detail(detail: object) -> None:
    """Exercise 12.3: `detail(slug)` returns the JSON of GET /api/ninja/articles/<slug>/ (the same from every layer)
    as a dict, with at most one crossing between async and sync code."""
    from django.db.models import Count

    from articles.models import Article

    article = await Article.objects.order_by("?").select_related("author").annotate(n=Count("transitions")).afirst()
    truth = {
        "slug": article.slug,
        "title": article.title,
        "status": article.status,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "author": article.author.username,
        "body": article.body,
        "transitions": article.n,
    }
    is_async, answer, crossings, error = await _call_counting(detail, article.slug)
    if not is_async:
        _not_async("Exercise 12.3")
    if error is not None:
        hint = f"Your function raised {type(error).__name__}: {error}"
    elif answer != truth:
        wrong = sorted(key for key in truth if not isinstance(answer, dict) or answer.get(key) != truth[key])
        hint = f"For {article.slug!r}, these keys differ from the API's answer: {wrong}."
    else:
        hint = (
            f"Right answer, in {len(crossings)} crossings ({', '.join(crossings)}). One query can load the author "
            "(select_related) and count the transitions (annotate with Count) before a single afirst()."
        )
    judge("Exercise 12.3", error is None and answer == truth and len(crossings) <= 1, hint)
