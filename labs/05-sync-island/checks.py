"""Checks of lab 05 (a sync island). Run them with `python -m labs check 05` or `nox -s lab -- 05`.

The race is the behaviour the lab teaches: 50 concurrent publishes of one draft, exactly one winner. On
PostgreSQL it shows a missing row lock: at READ COMMITTED, transaction.atomic() alone lets every transaction read
the draft. On SQLite it cannot: select_for_update() does nothing there and BEGIN IMMEDIATE serializes the
transactions, so a missing lock passes the race, and the last step reads the code itself (with `ast`, never its
words) for a real select_for_update() call inside transaction.atomic().
"""

import ast
import secrets
import time

from labs.runner import Step, StepFailed, run_project_script
from liveproject import burst

# race_window() sleeps this long between check and write: long enough that a missing lock shows on every run,
# and that a publish which skips race_window() is told apart from one that calls it, even on a busy machine.
SERVER_SETTINGS = {"LAB_RACE_WINDOW": 0.2}
RACE_WINDOW = SERVER_SETTINGS["LAB_RACE_WINDOW"]
TIMER_FLOOR = 0.98  # a sleep may end a little early: allow 2%


def publish_url(context, slug):
    return context.url(f"articles/{slug}/publish/")


def article(context, slug):
    return context.server.client.get(f"/articles/async/{slug}/").json()  # the project's own view


def expect(response, status, what):
    if response.status_code != status:
        raise StepFailed(f"{what}: expected {status}, got {response.status_code} {response.text[:200]}")


def anonymous_refused(context):
    response = context.server.client.post(publish_url(context, "article-43"), headers=context.server.csrf_headers())
    expect(response, 401, "an anonymous publish")
    if article(context, "article-43")["status"] != "draft":
        raise StepFailed("the anonymous request published the article")


def non_staff_refused(context):
    response = context.server.client.post(
        publish_url(context, "article-44"), headers=context.server.login_headers("reader")
    )
    expect(response, 403, "a publish by 'reader', who is not staff")
    if article(context, "article-44")["status"] != "draft":
        raise StepFailed("the non-staff request published the article")


# A draft that was published once and taken back: its published_at is set, yet it is a draft (written by a separate
# process through the project's models; this process never sets Django up).
ADD_TAKEN_BACK_DRAFT = """
import sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from articles.models import Article
author = get_user_model().objects.get(username="grace")
Article.objects.create(slug=sys.argv[1], title=sys.argv[1], status="draft", author=author, published_at=timezone.now())
"""


def add_taken_back_draft(context) -> str:
    slug = f"publish-check-{secrets.token_hex(3)}"
    run_project_script(
        ADD_TAKEN_BACK_DRAFT, slug, database_url=context.server.database_url, what="adding the checks' article"
    )
    return slug


def publish_then_conflict(context):
    headers = context.server.login_headers("editor")
    expect(context.server.client.post(publish_url(context, "article-41"), headers=headers), 200, "publishing a draft")
    if article(context, "article-41")["status"] != "published":
        raise StepFailed("the answer was 200 but the article is not published in the database")
    expect(context.server.client.post(publish_url(context, "article-41"), headers=headers), 409, "publishing it again")
    slug = add_taken_back_draft(context)
    expect(
        context.server.client.post(publish_url(context, slug), headers=headers),
        200,
        "publishing a draft that was published once and taken back (its published_at is set, its status is "
        "'draft'): the status says whether an article is published, not published_at",
    )


def unknown_slug(context):
    response = context.server.client.post(
        publish_url(context, "no-such-article"), headers=context.server.login_headers("editor")
    )
    expect(response, 404, "an unknown slug")


def exactly_one_winner(context):
    headers = context.server.login_headers("editor")
    result = burst(context.server, publish_url(context, "article-42"), 50, method="POST", headers=headers)
    transitions = article(context, "article-42")["transitions"]
    statuses = dict(result.statuses)
    if statuses.get(200, 0) > 1 or transitions > 1:
        on_this_database = (
            "Keep the read, the check and the write in one transaction.atomic(), and read the row with "
            "select_for_update(): on PostgreSQL (READ COMMITTED), transaction.atomic() alone lets every "
            "transaction read the draft before another one's write is committed."
            if context.server.database.backend == "postgresql"
            else "On SQLite a transaction takes the write lock when it begins (the project uses BEGIN IMMEDIATE), "
            "so here the read and the check happen outside the transaction that writes: keep all three inside "
            "one transaction.atomic()."
        )
        raise StepFailed(
            f"50 concurrent publishes of one draft: {statuses.get(200, 0)} answered 200 and {transitions} "
            f"transitions were recorded: several requests read the draft before another one's write, and all of "
            f"them published it. {on_this_database}"
        )
    if statuses != {200: 1, 409: 49} or transitions != 1:
        raise StepFailed(
            f"50 concurrent publishes of one draft answered {statuses} and recorded {transitions} transition(s): one "
            "should publish it (200, one transition) and every other one should find it published (409)"
        )
    # One publish alone: it cannot take less than the race_window() it must wait between check and write (without
    # that wait, the race above would show only now and then, and the checks would prove little).
    started = time.perf_counter()
    response = context.server.client.post(publish_url(context, "article-46"), headers=headers)
    elapsed = time.perf_counter() - started
    expect(response, 200, "publishing a draft")
    if elapsed < RACE_WINDOW * TIMER_FLOOR:
        raise StepFailed(
            f"publishing a draft took {elapsed:.3f} s, less than the {RACE_WINDOW} s race_window() waits: call "
            "race_window() between your check and your write, where real code does its work"
        )


def _is_atomic(node) -> bool:
    """`transaction.atomic`, `atomic`, called (`atomic(using=...)`) or not (a decorator)."""
    if isinstance(node, ast.Call):
        node = node.func
    return (isinstance(node, ast.Attribute) and node.attr == "atomic") or (
        isinstance(node, ast.Name) and node.id == "atomic"
    )


def _walk_code(nodes):
    """Every node under `nodes`, without entering nested functions, lambdas or classes (code that may never run)."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
                stack.append(child)


def _atomic_blocks(function) -> list[list]:
    """The statements `function` runs inside transaction.atomic(): its body when it is decorated with it, and the
    body of each `with transaction.atomic():` in it."""
    if any(_is_atomic(decorator) for decorator in function.decorator_list):
        return [function.body]
    return [
        node.body
        for node in _walk_code(function.body)
        if isinstance(node, ast.With) and any(_is_atomic(item.context_expr) for item in node.items)
    ]


LAZY = {"select_for_update", "filter", "exclude", "all", "order_by", "select_related", "only", "defer", "using"}


def _locking_calls(statements) -> tuple[list, list]:
    """(.select_for_update() calls whose queryset is used, those whose queryset is thrown away) in `statements`.

    A statement that is only a chain of lazy queryset methods (`Article.objects.select_for_update()`) builds a
    queryset and drops it: nothing is read, so nothing is locked."""
    used, dropped = [], []
    for statement in _walk_code(statements):
        if not isinstance(statement, ast.stmt):
            continue
        own = [node for node in ast.iter_child_nodes(statement) if isinstance(node, ast.expr)]
        calls = [
            node
            for node in _walk_code(own)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "select_for_update"
        ]
        thrown_away = (
            isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Call)
            and isinstance(statement.value.func, ast.Attribute)
            and statement.value.func.attr in LAZY
        )
        (dropped if thrown_away else used).extend(calls)
    return used, dropped


READS = {"get", "first", "last", "earliest", "latest"}
WRITES = {"save", "update", "create", "bulk_update", "update_or_create"}


def _calls(nodes, names):
    return [
        node
        for node in _walk_code(nodes)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in names
    ]


def _locked_names(block) -> set[str]:
    """Names bound, in `block`, to a row read through select_for_update(): `x = ...select_for_update()...get(...)`."""
    names = set()
    for node in _walk_code(block):
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
            call = node.value
            if (
                isinstance(call.func, ast.Attribute)
                and call.func.attr in READS
                and _calls([call.func.value], {"select_for_update"})
            ):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names |= {target.id for target in targets if isinstance(target, ast.Name)}
    return names


def _checks(block, names) -> list:
    """`if` statements in `block` that test one of `names` and raise (or return) when the test holds."""
    return [
        node
        for node in _walk_code(block)
        if isinstance(node, ast.If)
        and any(isinstance(name, ast.Name) and name.id in names for name in ast.walk(node.test))
        and any(isinstance(inner, ast.Raise | ast.Return) for inner in _walk_code(node.body))
    ]


def island_shape(context):
    """The code's shape, read with `ast` (never its words: a docstring or a comment locks nothing).

    On PostgreSQL the race step already sees a missing row lock. On SQLite it cannot: select_for_update() does
    nothing there, and BEGIN IMMEDIATE serializes the transactions anyway. This step makes the lesson hold on both:
    inside one transaction.atomic() block of publish_article, the article read through select_for_update(), its
    status checked, and the write after the check."""
    source = context.source()
    tree = ast.parse(source)
    functions = {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    view, service = functions.get("publish"), functions.get("publish_article")
    if not isinstance(view, ast.AsyncFunctionDef):
        raise StepFailed("the view `publish` should be defined with `async def`")
    if not isinstance(service, ast.FunctionDef):
        raise StepFailed("the service `publish_article` should be a plain (sync) `def`")
    blocks = _atomic_blocks(service)
    if not blocks:
        raise StepFailed(
            "publish_article opens no transaction: its read, check and write belong inside `with transaction.atomic():`"
        )
    waiting = [
        keyword.arg
        for call in _calls(service.body, {"select_for_update"})
        for keyword in call.keywords
        if keyword.arg in {"nowait", "skip_locked"}
        and not (isinstance(keyword.value, ast.Constant) and not keyword.value.value)
    ]
    if waiting:
        raise StepFailed(
            f"select_for_update({waiting[0]}=True): a publish that finds the row locked gets an error (or no row) "
            "instead of waiting for the lock, and answers before it knows whether the other publish succeeded. "
            "Let it wait: select_for_update() with no arguments"
        )
    for block in blocks:
        for check in _checks(block, _locked_names(block)):
            if _calls(block, WRITES) and any(call.lineno > check.lineno for call in _calls(block, WRITES)):
                return
    used, dropped = _locking_calls([statement for block in blocks for statement in block])
    if dropped and not used:
        raise StepFailed(
            "publish_article calls select_for_update() but throws its queryset away: a queryset reads nothing, and "
            "locks nothing, until it is evaluated. Read the article through the locking queryset"
        )
    if any(_checks(block, _locked_names(block)) for block in blocks):
        raise StepFailed(
            "publish_article checks the locked article's status in one transaction.atomic() block and writes in "
            "another: the lock ends with the first block, so two requests can both see the draft. Keep the read, "
            "the check and the write in one transaction.atomic()"
        )
    if used:
        raise StepFailed(
            "select_for_update() is called inside transaction.atomic(), but not on the read whose status you check: "
            "lock the row when you read it (article = Article.objects.select_for_update().get(slug=slug)), check "
            "that article's status, and write after the check, in the same transaction.atomic() block. A lock taken "
            "only for the write comes after two requests have both read the draft"
        )
    elsewhere = _calls(service.body, {"select_for_update"})
    where = (
        "select_for_update() is called outside the transaction.atomic() block, where no lock can be held"
        if elsewhere
        else "no .select_for_update() call reads the article inside publish_article's transaction.atomic() block "
        "(words in a docstring or a comment lock nothing)"
    )
    raise StepFailed(
        f"{where}: without the row lock, two requests on PostgreSQL both read the draft and both publish it. "
        "SQLite cannot show this race (select_for_update() does nothing there), so this step reads your code"
    )


# The labs' shared format, the same shape in every lab's checks.py: one Step(name, check, hint) per step.
STEPS = [
    Step(
        "an anonymous publish gets 401", anonymous_refused, "await request.auser(); if not user.is_authenticated: 401"
    ),
    Step("a user who is not staff gets 403", non_staff_refused, "check user.is_staff after the login check"),
    Step(
        "staff publishes a draft (200), then gets 409",
        publish_then_conflict,
        "raise an exception from the island when the article is already published, and map it to 409",
    ),
    Step("an unknown slug gets 404", unknown_slug, "catch Article.DoesNotExist around the sync_to_async call"),
    Step(
        "50 concurrent publishes: exactly one wins",
        exactly_one_winner,
        "move the read, the check and the write into publish_article, inside transaction.atomic(), read the row "
        "with select_for_update(), and keep race_window() between the check and the write",
    ),
    Step(
        "an async view and a sync island",
        island_shape,
        "keep `async def publish` and a sync `def publish_article` that opens transaction.atomic() and, inside "
        "it, reads the article with Article.objects.select_for_update().get(...), checks its status, and writes",
    ),
]
