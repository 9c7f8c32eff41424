"""Checks of lab 06 (a sync island). Run them with `python -m labs check 06` or `nox -s lab -- 06`."""

import ast

import httpx

from labs.runner import Step, StepFailed
from liveproject import burst

SERVER_SETTINGS = {"LAB_RACE_WINDOW": 0.05}  # race_window() sleeps this long between check and write


def publish_url(context, slug):
    return context.url(f"articles/{slug}/publish/")


def article(context, slug):
    return context.server.client.get(f"/articles/async/{slug}/").json()  # the project's own view


def csrf_only_headers(context):
    """A CSRF token and its cookie, but no login: only the missing authentication is wrong."""
    with httpx.Client(base_url=context.server.url, timeout=10) as client:
        client.get("/auth/csrf/").raise_for_status()
        token = client.cookies["csrftoken"]
    return {"Cookie": f"csrftoken={token}", "X-CSRFToken": token}


def expect(response, status, what):
    if response.status_code != status:
        raise StepFailed(f"{what}: expected {status}, got {response.status_code} {response.text[:200]}")


def anonymous_refused(context):
    response = context.server.client.post(publish_url(context, "article-43"), headers=csrf_only_headers(context))
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


def publish_then_conflict(context):
    headers = context.server.login_headers("editor")
    expect(context.server.client.post(publish_url(context, "article-41"), headers=headers), 200, "publishing a draft")
    if article(context, "article-41")["status"] != "published":
        raise StepFailed("the answer was 200 but the article is not published in the database")
    expect(context.server.client.post(publish_url(context, "article-41"), headers=headers), 409, "publishing it again")


def unknown_slug(context):
    response = context.server.client.post(
        publish_url(context, "no-such-article"), headers=context.server.login_headers("editor")
    )
    expect(response, 404, "an unknown slug")


def exactly_one_winner(context):
    headers = context.server.login_headers("editor")
    result = burst(context.server, publish_url(context, "article-42"), 50, method="POST", headers=headers)
    transitions = article(context, "article-42")["transitions"]
    if result.statuses != {200: 1, 409: 49} or transitions != 1:
        raise StepFailed(
            f"50 concurrent publishes gave {dict(result.statuses)} and recorded {transitions} transitions; "
            "expected one 200, 49 x 409 and exactly one transition"
        )


def island_shape(context):
    tree = ast.parse(context.source())
    functions = {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    view, service = functions.get("publish"), functions.get("publish_article")
    source = context.source()
    if not isinstance(view, ast.AsyncFunctionDef):
        raise StepFailed("the view `publish` should be defined with `async def`")
    if not isinstance(service, ast.FunctionDef):
        raise StepFailed("the service `publish_article` should be a plain (sync) `def`")
    body = ast.get_source_segment(source, service)
    if "transaction.atomic" not in body or "select_for_update" not in body:
        raise StepFailed("publish_article should open transaction.atomic() and lock the row with select_for_update()")


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
        "move the read, the check and the write into publish_article, inside transaction.atomic(), and read "
        "the row with select_for_update()",
    ),
    Step(
        "an async view and a sync island",
        island_shape,
        "keep `async def publish` and a sync `def publish_article` that owns transaction.atomic() and "
        "select_for_update()",
    ),
]
