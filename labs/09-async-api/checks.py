"""Checks of lab 09 (make it async without breaking it). Run them with `python -m labs check 09` or
`nox -s lab -- 09`.

They take the truth from the project, never from your code's own words: each article's data from the project's
own endpoint, the tasks from the database the server uses (django_tasks_db's table, read by a script of their own),
what ran on a thread from Django itself (each of your two views served once in a separate process through Django's
real ASGIHandler, every crossing from async to sync code listed by name). A task worker of their own
(`manage.py db_worker`) runs what your view enqueued; the answer's time is measured by the checks' own clock.
"""

from __future__ import annotations

import json
import random
import time

from labs.runner import Step, StepFailed, run_project_script

NOTIFY_SECONDS = 1.0  # how long telling the followers takes (labs.support.notify_followers)
SERVER_SETTINGS = {"LAB_NOTIFY_SECONDS": NOTIFY_SECONDS}
ANSWER_WITHIN = 0.5  # a share that waits for the followers takes 1 s; one that enqueues, a few milliseconds
TASK_PATH = "labs.support.notify_followers"

# What Django and the API frameworks hand to a thread in any async view: the request_started signal's sync
# receivers, closing the response, rendering DRF's Response, DRF's authentication in adrf (APIView.initial),
# django-ninja's session authentication, and the async ORM's queries (QuerySet.<method>). Anything else that
# crossed is code that ran as sync code: a sync view.
FRAMEWORK_CROSSINGS = {
    "Signal.asend.<locals>.sync_send",
    "HttpResponseBase.close",
    "log_response",  # Django logs a 4xx or 5xx answer (the anonymous share's 401) through sync_to_async
    "SimpleTemplateResponse.render",
    "APIView.initial",
    "SessionAuth",  # django-ninja's django_auth (and its staff and superuser kinds)
    "SessionAuthIsStaff",
    "SessionAuthSuperUser",
}


def detail_url(context, slug):
    return context.url(f"articles/{slug}/")


def share_url(context, slug):
    return context.url(f"articles/{slug}/share/")


def truth(context, slug) -> dict:
    """The article as the starter's DRF serializer answers it, from the project's own endpoint."""
    article = context.server.client.get(f"/articles/async/{slug}/").json()
    published = article["published_at"]
    return {
        "slug": article["slug"],
        "title": article["title"],
        "status": article["status"],
        "published_at": published.replace("+00:00", "Z") if published else None,  # DRF writes UTC as Z
        "author": article["author"],
    }


TASKS_SCRIPT = """
import json, django
django.setup()
from django_tasks_db.models import DBTaskResult
rows = DBTaskResult.objects.order_by("enqueued_at")
print(json.dumps([{"id": str(r.id), "task": r.task_path, "status": r.status, "arguments": r.args_kwargs,
                   "result": r.return_value, "workers": r.worker_ids} for r in rows]))
"""


def tasks(context) -> list[dict]:
    """Every task in the server's database, oldest first."""
    out = run_project_script(TASKS_SCRIPT, database_url=context.server.database_url, what="reading the tasks")
    return json.loads(out)


def expect(response, status, what):
    if response.status_code != status:
        raise StepFailed(f"{what}: expected {status}, got {response.status_code} {response.text[:200]}")


def the_article_as_before(context):
    drafts_and_published = ["article-07", "article-41", *random.sample([f"article-{n:02d}" for n in range(1, 61)], 3)]
    for slug in drafts_and_published:
        response = context.server.client.get(detail_url(context, slug))
        expect(response, 200, f"GET articles/{slug}/")
        if response.json() != truth(context, slug):
            raise StepFailed(f"GET articles/{slug}/ answered {response.json()}, not {truth(context, slug)}")
    missing = context.server.client.get(detail_url(context, "no-such-article"))
    expect(missing, 404, "GET articles/no-such-article/")
    if missing.json() != {"error": "no article with slug 'no-such-article'"}:
        raise StepFailed(f"the 404's JSON is {missing.json()}, not the starter's")


REFUSALS = {  # the starter's answers, status and JSON
    401: {"error": "log in to share (POST /auth/login/)"},
    403: {"error": "only staff can share"},
    404: {"error": "no article with slug 'no-such-article'"},
}


def refusals_enqueue_nothing(context):
    server = context.server
    cases = [
        ("by nobody logged in", server.csrf_headers(), "article-07", 401),
        ("by 'reader', who is not staff", server.login_headers("reader"), "article-07", 403),
        ("of an unknown article", server.login_headers("editor"), "no-such-article", 404),
    ]
    for who, headers, slug, status in cases:
        response = server.client.post(share_url(context, slug), headers=headers)
        expect(response, status, f"a share {who}")
        if response.json() != REFUSALS[status]:
            raise StepFailed(f"a share {who} answered {response.json()}, not the starter's {REFUSALS[status]}")
    no_token = {"Cookie": server.login_headers("editor")["Cookie"]}  # the session, without its CSRF token
    forged = server.client.post(share_url(context, "article-07"), headers=no_token)
    enqueued = tasks(context)
    context.extra["refused_tasks"] = len(enqueued)  # the later steps count only the share's own task
    if forged.status_code != 403:
        raise StepFailed(
            f"a share with the editor's session cookie but no CSRF token answered {forged.status_code}, not 403: "
            f"nothing checked the CSRF token (and {len(enqueued)} task(s) were enqueued)"
        )
    if enqueued:
        raise StepFailed(f"refused shares enqueued {len(enqueued)} task(s): enqueue only once every check passed")


def shares_answer_at_once(context):
    slug = random.choice([f"article-{n:02d}" for n in range(1, 41) if n != 7])  # 07: the refusals' article
    context.extra["shared"] = slug
    headers = context.server.login_headers("editor")
    started = time.perf_counter()
    response = context.server.client.post(share_url(context, slug), headers=headers)
    took = time.perf_counter() - started
    if response.status_code not in (200, 202):
        raise StepFailed(f"sharing {slug}: expected 200 (or 202), got {response.status_code} {response.text[:200]}")
    if response.json() != truth(context, slug):
        raise StepFailed(f"sharing {slug} answered {response.json()}, not {truth(context, slug)}")
    if took >= ANSWER_WITHIN:
        raise StepFailed(
            f"the share took {took:.2f} s to answer: telling the followers takes {NOTIFY_SECONDS:.0f} s, and the "
            f"client must not wait for it (it should answer in under {ANSWER_WITHIN} s, before the followers are told)"
        )
    waiting = [t for t in tasks(context) if t["task"] == TASK_PATH and t["arguments"]["kwargs"].get("slug") == slug]
    if not waiting:
        raise StepFailed(
            f"the share answered at once, but no task for {slug} waits in the database: a thread, "
            "asyncio.create_task or a task's .call()/.acall() runs the notification in the server's process, where a "
            "restart loses it. "
            "Enqueue it instead"
        )
    if [t["arguments"] for t in waiting] != [{"args": [], "kwargs": {"slug": slug}}]:
        raise StepFailed(f"sharing {slug} enqueued {[t['arguments'] for t in waiting]}: one task, slug={slug!r}")


def shares(task: dict, slug: str) -> bool:
    return task["arguments"].get("kwargs", {}).get("slug") == slug


def a_worker_tells_the_followers(context):
    from liveproject.tasks import TaskWorker

    slug = context.extra.get("shared")
    if slug is None:
        raise StepFailed("nothing was shared: the previous step must pass first")
    deadline = time.monotonic() + 10 + NOTIFY_SECONDS
    with TaskWorker(context.server, worker_id="lab09-checks"):
        while True:
            row = next((t for t in tasks(context) if t["task"] == TASK_PATH and shares(t, slug)), None)
            if row is None:
                raise StepFailed(f"no {TASK_PATH} task for {slug} is in the database for the worker to run")
            if row["status"] in ("SUCCESSFUL", "FAILED"):
                break
            if time.monotonic() > deadline:
                raise StepFailed(f"the worker did not finish the task within {10 + NOTIFY_SECONDS:.0f} s: {row}")
            time.sleep(0.1)
    if row["status"] != "SUCCESSFUL":
        raise StepFailed(f"the task failed in the worker: {row}")
    author = truth(context, slug)["author"]
    # told: every seeded user but the author (the seed has five: editor, reader, ada, grace, alan)
    if row["result"] != {"slug": slug, "author": author, "told": 4} or row["workers"] != ["lab09-checks"]:
        raise StepFailed(f"the task's recorded result is {row['result']} (by {row['workers']}), not the worker's")


HOPS_SCRIPT = """
import asyncio, json, os, sys, django
django.setup()
from django.conf import settings
settings.LAB_CODE, settings.LAB_VARIANTS = sys.argv[1], json.loads(sys.argv[2])
from django.contrib.auth import get_user_model
from django.db.backends import utils
from django.test import Client
from django.utils.crypto import get_random_string
from liveproject.kernel import count_thread_hops

on_the_loop = []  # queries run on the event loop's thread: async code that Django's guard did not stop
run_query = utils.CursorWrapper._execute_with_wrappers
def loop_running():
    try:
        return asyncio.get_running_loop() is not None
    except RuntimeError:
        return False
def recording(self, *args, **kwargs):
    if loop_running():  # a query on the thread of a running event loop (sync_to_async's threads run none)
        on_the_loop.append(args[0][:80])
    return run_query(self, *args, **kwargs)
utils.CursorWrapper._execute_with_wrappers = recording

editor = Client()
editor.force_login(get_user_model().objects.get(username="editor"))  # a session in the server's database
token = get_random_string(32)
staff = {"Cookie": f"sessionid={editor.cookies['sessionid'].value}; csrftoken={token}", "X-CSRFToken": token}
session = ["django.contrib.sessions.middleware.SessionMiddleware",
           "django.contrib.auth.middleware.AuthenticationMiddleware"]
async def all_three():
    return {
        "GET": await count_thread_hops(sys.argv[3], middleware=[]),
        "an anonymous POST": await count_thread_hops(sys.argv[4], middleware=[], method="POST"),
        "the editor's POST (unknown article)": await count_thread_hops(
            sys.argv[5], middleware=session, method="POST", headers=staff),
    }
served = asyncio.run(all_three())
print(json.dumps({"served": served, "on_the_loop": on_the_loop,
                  "unsafe": os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE", "")}))
"""
# What the session middleware hands to a thread (MiddlewareMixin: each hook through sync_to_async), for the
# editor's request, which needs a session.
SESSION_CROSSINGS = {
    "SessionMiddleware.process_request",
    "SessionMiddleware.process_response",
    "AuthenticationMiddleware.process_request",
}
SYNC_VIEWS = {"View.as_view.<locals>.view"}  # how a sync DRF view (or any sync class-based view) is named


def is_query(name: str) -> bool:
    return name.startswith("QuerySet.")  # an async ORM call: afirst() hands QuerySet.first to a thread


def views_run_on_the_loop(context):
    code, variants = ("solution", {context.folder.name: context.code}) if "/" in context.code else (context.code, {})
    out = run_project_script(
        HOPS_SCRIPT,
        code,
        json.dumps(variants),
        detail_url(context, "article-07"),
        share_url(context, "article-07"),
        share_url(context, "no-such-article"),
        database_url=context.server.database_url,
        what="serving your views once in a separate process",
    )
    found = json.loads(out)
    if found["unsafe"]:
        raise StepFailed(
            "your code sets DJANGO_ALLOW_ASYNC_UNSAFE: that switches off the guard that stops a query on the event "
            "loop, it does not make the query async"
        )
    if found["on_the_loop"]:
        raise StepFailed(f"a query ran on the event loop, blocking it: {found['on_the_loop'][0]}")
    for request, (_, crossings) in found["served"].items():
        others = [
            name for name in crossings if name not in FRAMEWORK_CROSSINGS | SESSION_CROSSINGS and not is_query(name)
        ]
        if others:
            kind = "a sync view" if set(others) & SYNC_VIEWS else "sync code, run on a thread"
            raise StepFailed(
                f"{request} handed {', '.join(others)} to a thread (all it crossed for: {', '.join(crossings)}): "
                f"that is {kind}"
            )


STEPS = [
    Step(
        "the article, as before: the same JSON, and the 404",
        the_article_as_before,
        "TODO 1: the same serializer's JSON (DRF writes a UTC time with Z), the same 404. A SynchronousOnlyOperation "
        "in the log means the serializer loaded the author in async code: select_related('author') in the query",
    ),
    Step(
        "refused shares (401, 403, 404, no CSRF token: 403) enqueue nothing",
        refusals_enqueue_nothing,
        "TODO 2: the starter's checks, in the same order, before anything is enqueued. DRF's and adrf's session "
        "authentication check the CSRF token; in django-ninja put auth=django_auth on the endpoint",
    ),
    Step(
        "a share answers at once, and its task waits in the database",
        shares_answer_at_once,
        "TODO 3: `await notify_followers.aenqueue(slug=slug)` (enqueue() is a database write: in async code, use "
        "aenqueue), then answer the article",
    ),
    Step(
        "a worker tells the followers, and records the result",
        a_worker_tells_the_followers,
        "TODO 3: enqueue labs.support.notify_followers itself, with slug=...; the worker runs it",
    ),
    Step(
        "both views run on the event loop",
        views_run_on_the_loop,
        "TODO 1 and 2: adrf's `from adrf.decorators import api_view` over an `async def`, or a django-ninja "
        "`async def` endpoint; keep the ORM calls async (afirst, async for)",
    ),
]
