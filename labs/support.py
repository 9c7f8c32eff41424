"""Helpers that lab code may call. They do nothing surprising unless a lab's checks switch them on."""

import time

from django.conf import settings


def race_window() -> None:
    """Sleep settings.LAB_RACE_WINDOW seconds (0 unless the checks set it).

    It stands for the work real code does between reading a row and writing it (validation, rendering a
    notification). The checks of lab 05 widen it to 0.2 s so that a missing lock shows up on every run,
    not once in a while. Call it from sync code, between your check and your write.
    """
    time.sleep(getattr(settings, "LAB_RACE_WINDOW", 0))


# --- Lab 09: a slow side effect, as a task a worker runs ------------------------------------------------------
# Here, in an importable module, because a task worker finds a task by its dotted path: a lab's views.py is loaded
# from its file, and has no such path.

try:
    from django.tasks import task  # Django 6.0 and newer
except ImportError:
    from django_tasks import task  # the backport, on Django 5.2


@task
def notify_followers(*, slug: str) -> dict:
    """Tell the followers of `slug`'s author that it was shared: as slow as a mail service, settings.LAB_NOTIFY_SECONDS
    (1 s by default). Returns the article, its author, and how many readers were told (every other user)."""
    from django.contrib.auth import get_user_model

    from articles.models import Article

    article = Article.objects.select_related("author").get(slug=slug)
    time.sleep(getattr(settings, "LAB_NOTIFY_SECONDS", 1.0))
    told = get_user_model().objects.exclude(pk=article.author_id).count()
    return {"slug": article.slug, "author": article.author.username, "told": told}
