"""liveproject.exercises.ch03: each check passes the right answer and rejects wrong ones with a hint."""

import pytest

from liveproject.exercises.ch03 import check_03_all_published_slugs, check_03_grace_drafts, check_03_valid_classes
from liveproject.exercises.common import NotYet


def exercise_03_classes(*, mixed_is_all_async=False):
    """The exercise's three classes; with mixed_is_all_async, a Mixed whose delete() is async too (valid)."""
    from django.http import JsonResponse
    from django.views import View

    async def handler(self, request):
        return JsonResponse({})

    def sync_handler(self, request):
        return JsonResponse({})

    def sync_options(self, request, *args, **kwargs):
        return View.options(self, request, *args, **kwargs)

    mixed = type("Mixed", (View,), {"get": handler, "delete": handler if mixed_is_all_async else sync_handler})
    all_async = type("AllAsync", (View,), {"get": handler, "delete": handler})
    with_options = type("AsyncWithSyncOptions", (View,), {"get": handler, "options": sync_options})
    return [mixed, all_async, with_options]


def test_03_1_accepts_the_classes_as_view_accepts():
    classes = exercise_03_classes()
    check_03_valid_classes({"AllAsync", "AsyncWithSyncOptions"}, classes)
    check_03_valid_classes(["AsyncWithSyncOptions", "AllAsync"], tuple(classes))
    for wrong in [{"AllAsync"}, {"Mixed", "AllAsync", "AsyncWithSyncOptions"}, set(), "AllAsync", None]:
        with pytest.raises(NotYet, match="options"):
            check_03_valid_classes(wrong, classes)


def test_03_1_computes_the_truth_from_the_classes_it_is_given():
    # Make Mixed all async: as_view() now accepts all three, so the answer that was right is wrong.
    classes = exercise_03_classes(mixed_is_all_async=True)
    check_03_valid_classes({"Mixed", "AllAsync", "AsyncWithSyncOptions"}, classes)
    with pytest.raises(NotYet, match="options"):
        check_03_valid_classes({"AllAsync", "AsyncWithSyncOptions"}, classes)


def test_03_1_needs_the_exercise_classes():
    classes = exercise_03_classes()
    for wrong_classes in [[], classes[1:], [*classes, classes[0]], None, ["Mixed", "AllAsync", "AsyncWithSyncOptions"]]:
        with pytest.raises(NotYet, match="three classes"):
            check_03_valid_classes({"AllAsync", "AsyncWithSyncOptions"}, wrong_classes)


@pytest.mark.django_db(transaction=True)
async def test_03_2_compares_with_the_database(seeded):
    right = [f"article-{i:02d}" for i in range(40, 0, -1)]
    await check_03_all_published_slugs(right)
    for wrong in [right[:10], list(reversed(right)), right + ["article-41"], None]:
        with pytest.raises(NotYet, match="Expected 40 slugs"):
            await check_03_all_published_slugs(wrong)


def test_03_3_accepts_graces_drafts_only():
    right = {
        "count": 7,
        "slugs": ["article-41", "article-44", "article-47", "article-50", "article-53", "article-56", "article-59"],
    }
    check_03_grace_drafts(right)
    for wrong in [
        {"count": 20, "slugs": []},
        {"count": 6, "slugs": right["slugs"][:6]},
        {"error": "log in first"},
        None,
    ]:
        with pytest.raises(NotYet, match="Log in as grace"):
            check_03_grace_drafts(wrong)
