"""Lab 09: the checks accept either road the README offers (adrf, the reference solution, or django-ninja), and
tell the starter's two lessons apart (it answers late, and its views are sync)."""

import pytest

from labs.runner import run_checks

pytestmark = pytest.mark.live

# The lab done with django-ninja instead of adrf: the same answers, from a schema; django_auth for the session and
# its CSRF check; the task enqueued with aenqueue.
NINJA_SOLUTION = """
from datetime import datetime

from django.http import HttpRequest
from django.urls import path
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError
from ninja.security import django_auth

from articles.models import Article
from labs.support import notify_followers

api = NinjaAPI(urls_namespace="lab09-ninja", docs_url=None)


class ArticleOut(Schema):
    slug: str
    title: str
    status: str
    published_at: datetime | None
    author: str

    @staticmethod
    def resolve_author(article):
        return article.author.username


class Error(Schema):
    error: str


@api.get("/articles/{slug}/", response={200: ArticleOut, 404: Error})
async def article_detail(request: HttpRequest, slug: str):
    article = await Article.objects.select_related("author").filter(slug=slug).afirst()
    if article is None:
        return Status(404, {"error": f"no article with slug {slug!r}"})
    return article


@api.post("/articles/{slug}/share/", response={200: ArticleOut, 403: Error, 404: Error}, auth=django_auth)
async def article_share(request: HttpRequest, slug: str):
    if not request.auth.is_staff:
        return Status(403, {"error": "only staff can share"})
    article = await Article.objects.select_related("author").filter(slug=slug).afirst()
    if article is None:
        return Status(404, {"error": f"no article with slug {slug!r}"})
    await notify_followers.aenqueue(slug=slug)
    return article


@api.exception_handler(AuthenticationError)
def not_logged_in(request, error):
    return api.create_response(request, {"error": "log in to share (POST /auth/login/)"}, status=401)


urlpatterns = [path("", api.urls)]
"""


def test_a_django_ninja_solution_passes_too(tmp_path):
    views = tmp_path / "views.py"
    views.write_text(NINJA_SOLUTION)
    shown = []
    report = run_checks("09", str(views), show=shown.append)
    assert report.passed, "\n".join(shown)


def test_the_starter_fails_for_its_two_lessons_and_keeps_its_answers():
    shown = []
    report = run_checks("09", "starter", show=shown.append)
    assert report.failed_steps == [
        "a share answers at once, and its task waits in the database",
        "a worker tells the followers, and records the result",
        "both views run on the event loop",
    ], "\n".join(shown)
