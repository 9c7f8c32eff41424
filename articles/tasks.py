"""Work that must outlive the request: tasks, run by a worker process, not by the server that enqueued them.

A view enqueues (`await article_announce.aenqueue(...)`) and answers at once; the task waits in the database
(settings.TASKS: django_tasks_db's backend) until `manage.py db_worker` runs it and records its result or its
error. Stopping or restarting the server loses nothing, unlike `asyncio.create_task` in a view (chapter 02).
There are no retries: a task that raises is recorded as FAILED, once, with its exception and traceback.

Django 6.0 ships this framework as `django.tasks`; on 5.2 the `django-tasks` package is its backport. The same
code runs on both; only the import differs.
"""

import time

try:
    from django.tasks import task  # Django 6.0 and newer
    from django.tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch
except ImportError:
    from django_tasks import task  # the backport, on Django 5.2
    from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

from articles.models import Article


@task
def article_announce(*, slug: str, work_seconds: float = 0.0) -> dict:
    """Tell readers that `slug` is out: the slow side effect of publishing (a mail server, a push service), which
    `work_seconds` stands for. Raises Article.DoesNotExist for an article that is gone by the time it runs."""
    article = Article.objects.select_related("author").get(slug=slug)
    time.sleep(work_seconds)
    return {"slug": article.slug, "title": article.title, "author": article.author.username}


def task_result_as_dict(result) -> dict:
    """What the API shows of a TaskResult: its id and state, and its return value or its errors once finished."""
    finished = result.status == "SUCCESSFUL"
    return {
        "id": str(result.id),
        "status": result.status,  # READY (waiting for a worker), RUNNING, SUCCESSFUL or FAILED
        "return_value": result.return_value if finished else None,
        "errors": [error.exception_class_path for error in result.errors],
    }


__all__ = ["TaskResultDoesNotExist", "TaskResultMismatch", "article_announce", "task_result_as_dict"]
