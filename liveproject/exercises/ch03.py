"""Exercise checks for chapters/03-async-class-based-views.ipynb (how they work: liveproject.exercises)."""

from __future__ import annotations

from liveproject.exercises.common import judge

EXERCISE_03_CLASSES = ("Mixed", "AllAsync", "AsyncWithSyncOptions")


def check_03_valid_classes(names: object, classes: object) -> None:
    """Exercise 03.1: `names` are the classes among `classes` (the exercise's Mixed, AllAsync and
    AsyncWithSyncOptions) that make a valid view. The truth comes from calling as_view() on each class given."""
    from django.core.exceptions import ImproperlyConfigured
    from django.views import View

    classes = list(classes) if isinstance(classes, list | tuple | set) else []
    given = sorted(getattr(cls, "__name__", "") for cls in classes)
    if given != sorted(EXERCISE_03_CLASSES) or not all(
        isinstance(cls, type) and issubclass(cls, View) for cls in classes
    ):
        judge(
            "Exercise 03.1",
            False,
            "Pass the exercise's three classes as the second argument: "
            "check_03_valid_classes(names, [Mixed, AllAsync, AsyncWithSyncOptions]).",
        )
    valid = set()
    for cls in classes:
        try:
            cls.as_view()
        except ImproperlyConfigured:
            continue
        valid.add(cls.__name__)
    judge(
        "Exercise 03.1",
        isinstance(names, set | list | tuple) and set(names) == valid,
        "All handlers must be sync or all async, except options(), which Django leaves out of the check. "
        "Try SomeClass.as_view() on each.",
    )


async def check_03_all_published_slugs(slugs: object) -> None:
    """Exercise 03.2: every published slug, collected page by page from /articles/async/ (newest first).
    Use it as `await check_03_all_published_slugs(slugs)`; it compares with the database."""
    from articles.models import Article

    truth = [
        slug
        async for slug in Article.objects.published()
        .order_by("-published_at", "-created_at")
        .values_list("slug", flat=True)
    ]
    judge(
        "Exercise 03.2",
        isinstance(slugs, list) and slugs == truth,
        f"Expected {len(truth)} slugs in the list's order. Ask for ?page=1, 2, ... until a page comes back "
        "empty, and keep each article's 'slug'.",
    )


def check_03_grace_drafts(data: object) -> None:
    """Exercise 03.3: the JSON of /articles/drafts/ for the user grace (logged in through /auth/login/)."""
    from articles.management.commands.seed_articles import ARTICLE_COUNT, AUTHORS, PUBLISHED_COUNT

    mine = [
        f"article-{i:02d}"
        for i in range(PUBLISHED_COUNT + 1, ARTICLE_COUNT + 1)
        if AUTHORS[(i - 1) % len(AUTHORS)] == "grace"
    ]
    judge(
        "Exercise 03.3",
        data == {"count": len(mine), "slugs": mine},
        "Log in as grace (server.login('grace') gives a logged-in httpx client) and GET /articles/drafts/; "
        "pass response.json(). Anonymous requests get 401, and editor (staff) sees every draft.",
    )
