"""Announcing an article: the view enqueues a task and answers 202 at once; a worker (`manage.py db_worker`) runs
it later and records its result or its error, which GET /articles/announcements/<id>/ reads back.

The worker runs here in-process, once (`--batch`: every waiting task, then return). transaction=True: the worker
takes the database's write lock in a transaction of its own, which a test's wrapping transaction would not allow.
"""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from articles.models import Article
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def staff() -> Client:
    client = Client()
    assert client.login(username="editor", password=TEST_PASSWORD)
    return client


def run_the_worker_once() -> str:
    out = io.StringIO()
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", stdout=out, stderr=out)
    return out.getvalue()


def test_announce_answers_202_at_once_and_the_worker_records_the_result(seeded):
    client = staff()
    response = client.post("/articles/async/article-07/announce/")
    assert response.status_code == 202
    waiting = response.json()
    assert (waiting["status"], waiting["return_value"], waiting["errors"]) == ("READY", None, [])
    assert response["Location"] == f"/articles/announcements/{waiting['id']}/"
    assert client.get(response["Location"]).json()["status"] == "READY"  # nothing runs it until a worker does
    run_the_worker_once()
    done = client.get(response["Location"]).json()
    assert done == {
        "id": waiting["id"],
        "status": "SUCCESSFUL",
        "return_value": {"slug": "article-07", "title": "Cancellation when clients leave (07)", "author": "ada"},
        "errors": [],
    }


def test_a_failing_task_records_its_error_once_and_is_not_retried(seeded):
    client = staff()
    location = client.post("/articles/async/article-42/announce/")["Location"]
    Article.objects.filter(slug="article-42").delete()  # gone before the worker gets to it
    run_the_worker_once()
    failed = client.get(location).json()
    assert (failed["status"], failed["errors"]) == ("FAILED", ["articles.models.Article.DoesNotExist"])
    run_the_worker_once()  # a second run does not try again: no retries
    assert client.get(location).json() == failed


@pytest.mark.parametrize(("who", "path", "status", "message"), [
    (None, "article-07/announce/", 401, "log in to announce (POST /auth/login/)"),
    ("reader", "article-07/announce/", 403, "only staff can announce"),
    ("editor", "nope/announce/", 404, "no article with slug 'nope'"),
    ("editor", "article-07/announce/?work_seconds=11", 400, "work_seconds must be between 0 and 10, not 11"),
    ("editor", "article-07/announce/?work_seconds=nan", 400, "work_seconds must be a finite number, not 'nan'"),
])  # fmt: skip
def test_announce_refusals_are_clear_4xx_and_enqueue_nothing(seeded, who, path, status, message):
    from django_tasks_db.models import DBTaskResult

    client = Client()
    if who:
        assert client.login(username=who, password=TEST_PASSWORD)
    response = client.post(f"/articles/async/{path}")
    assert (response.status_code, response.json()) == (status, {"error": message})
    assert DBTaskResult.objects.count() == 0


def test_an_unknown_announcement_is_a_404(seeded):
    response = Client().get("/articles/announcements/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert response.json() == {"error": "no announcement 00000000-0000-0000-0000-000000000000"}
    assert Client().get("/articles/announcements/not-a-uuid/").status_code == 404
