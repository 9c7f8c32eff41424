"""Checks of lab 03 (SynchronousOnlyOperation). Run them with `python -m labs check 03` or `nox -s lab -- 03`."""

import ast
import html

from labs.runner import Step, StepFailed

A_METHODS = {"aget", "afirst", "alast", "acount", "aexists", "aiterator", "ain_bulk", "aaggregate"}


def truth(context):
    rows = context.server.client.get("/articles/async/?page=1").json()["articles"][:5]  # the project's own view
    return rows


def expect_articles(context, path):
    response = context.server.client.get(context.url(path))
    if response.status_code != 200:
        raise StepFailed(f"GET {context.url(path)} answered {response.status_code}: {response.text[:160]}")
    expected = [{"slug": row["slug"], "author": row["author"]} for row in truth(context)]
    if response.json().get("articles") != expected:
        raise StepFailed(f"articles should be {expected[:2]}..., got {response.json().get('articles')!r}"[:300])


def function(context, name):
    tree = ast.parse(context.source())
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            return tree, node
    raise StepFailed(f"{name} is missing from views.py")


def async_orm_data(context):
    expect_articles(context, "async-orm/")


def async_orm_approach(context):
    _, view = function(context, "newest_async_orm")
    source = ast.unparse(view)
    uses_async_orm = any(isinstance(node, ast.comprehension) and node.is_async for node in ast.walk(view)) or any(
        isinstance(node, ast.Attribute) and node.attr in A_METHODS for node in ast.walk(view)
    )
    if not uses_async_orm or "sync_to_async" in source:
        raise StepFailed("newest_async_orm should read with the async ORM (`async for`, a-methods), not sync_to_async")
    if "select_related" not in source:
        raise StepFailed("newest_async_orm reads article.author: load it in the same query with select_related")


def sync_function_data(context):
    expect_articles(context, "sync-function/")


def sync_function_approach(context):
    tree, view = function(context, "newest_sync_function")
    sync_functions = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    handed_over = [
        node.args[0].id
        for node in ast.walk(view)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "sync_to_async"
        and node.args
        and isinstance(node.args[0], ast.Name)
    ]
    if not any(name in sync_functions for name in handed_over):
        raise StepFailed("newest_sync_function should await sync_to_async(<a plain def of yours>)()")
    if any(isinstance(node, ast.comprehension) and node.is_async for node in ast.walk(view)):
        raise StepFailed("newest_sync_function should leave the querying to the sync function")


def titles_page(context):
    response = context.server.client.get(context.url("titles/"))
    if response.status_code != 200 or not response.headers.get("content-type", "").startswith("text/html"):
        raise StepFailed(f"GET {context.url('titles/')} should be an HTML page, got {response.status_code}")
    page = html.unescape(response.text)
    missing = [row["title"] for row in truth(context) if row["title"] not in page]
    if missing:
        raise StepFailed(f"the page lacks these titles: {missing}")


STEPS = [
    Step(
        "async-orm/ answers the five newest articles",
        async_orm_data,
        "`[... async for article in newest().select_related('author')]`: async iteration, authors loaded",
    ),
    Step(
        "async-orm/ uses the async ORM, authors included",
        async_orm_approach,
        "no sync_to_async in this one: `async for` over a queryset with select_related('author')",
    ),
    Step(
        "sync-function/ answers the same articles",
        sync_function_data,
        "put the query and the loop in a plain def, and `return JsonResponse(... await sync_to_async(fn)())`",
    ),
    Step(
        "sync-function/ hands a sync function to sync_to_async",
        sync_function_approach,
        "define a `def` (not async) that returns the list, and await sync_to_async(that_function)()",
    ),
    Step(
        "titles/ renders the page",
        titles_page,
        "return a TemplateResponse (rendered later, on a thread), or evaluate the queryset with async for first",
    ),
]
