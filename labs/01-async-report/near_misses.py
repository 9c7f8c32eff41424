"""Near-misses of lab 01 that its checks must fail (labs/near_misses.py explains them).

Not a near-miss: leaving out order_by("-published_at"). Article.Meta.ordering is newest publication first
(["-published_at", "-created_at"]), so the queryset without it gives the right slugs in the right order on any
data; INSTRUCTOR.md says so.
"""

from labs.near_misses import NearMiss

# Each near-miss quotes the lines of the solution it replaces, and those that take a lesson out the same way
# look alike: the repetition is the table, on purpose.

SOLUTION_QUERY = 'Article.objects.published().order_by("-published_at")'  # then .values_list("slug", ...)[:10]
SOLUTION_GATHER = "io = await asyncio.gather(slow_io(1), slow_io(2), slow_io(3))"
SOLUTION_DURATION = "duration_ms = round((time.perf_counter() - started) * 1000, 1)"


def query(new: str) -> tuple[tuple[str, str]]:
    """The solution with its queryset, before .values_list(...)[:10], replaced by `new`."""
    return ((SOLUTION_QUERY, new),)


NEAR_MISSES = [
    NearMiss(
        "the three waits awaited in sequence, duration_ms divided by three",
        (
            (SOLUTION_GATHER, "io = [await slow_io(n) for n in (1, 2, 3)]"),
            (SOLUTION_DURATION, "duration_ms = round((time.perf_counter() - started) * 1000 / 3, 1)"),
        ),
        lesson="concurrent",
    ),
    NearMiss(
        "asyncio.gather without await",
        ((SOLUTION_GATHER, "io = asyncio.gather(slow_io(1), slow_io(2), slow_io(3))"),),
        lesson="await asyncio.gather",
    ),
    NearMiss(
        "drafts included (no published())",
        query('Article.objects.order_by("-published_at")'),
        lesson="published()",
        differs_by_database=True,
    ),
    NearMiss(
        "drafts included and no order_by (the model's default order)",
        query('Article.objects'),
        lesson="published()",
        differs_by_database=True,
    ),
    NearMiss(
        "published taken to mean 'has a publication date'",
        query('Article.objects.exclude(published_at=None).order_by("-published_at")'),
        lesson="published()",
        differs_by_database=True,
    ),
    NearMiss(
        "newest taken to mean the most recently created",
        query('Article.objects.published().order_by("-created_at")'),
        lesson="publication time",
        differs_by_database=True,
    ),
    NearMiss(
        "newest taken to mean the highest id",
        query('Article.objects.published().order_by("-id")'),
        lesson="publication time",
        differs_by_database=True,
    ),
    NearMiss(
        "duration_ms in seconds",
        ((SOLUTION_DURATION, "duration_ms = round(time.perf_counter() - started, 3)"),),
        lesson="milliseconds",
    ),
    NearMiss(
        "the slugs read with the sync ORM inside the async view",
        (("slugs = [slug async for slug in newest]", "slugs = list(newest)"),),
        lesson="SynchronousOnlyOperation",
    ),
    NearMiss(
        "duration_ms a constant (the 200 ms the README shows)",
        ((SOLUTION_DURATION, "duration_ms = 200.0"),),
        lesson="measured from the start of the view",
    ),
    NearMiss(
        "fake I/O: one asyncio.sleep(0.2) and results typed in, slow_io never called",
        ((SOLUTION_GATHER,
          'await asyncio.sleep(0.2)\n    io = [{"task": n, "done": True} for n in (1, 2, 3)]'),),
        lesson="must await slow_io(1), slow_io(2) and slow_io(3) themselves",
    ),
    NearMiss(
        "half in sequence: slow_io(1) awaited alone, then the other two gathered",
        ((SOLUTION_GATHER, "io = [await slow_io(1), *await asyncio.gather(slow_io(2), slow_io(3))]"),),
        lesson="not concurrently",
    ),
    NearMiss(
        "the slugs read on a worker thread through sync_to_async, not with the async ORM",
        (("slugs = [slug async for slug in newest]",
          "slugs = await sync_to_async(list, thread_sensitive=False)(newest)"),
         ("import time\n", "import time\n\nfrom asgiref.sync import sync_to_async\n")),
        lesson="not read them with the async ORM",
    ),
]  # fmt: skip
