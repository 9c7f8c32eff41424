"""Near-misses of lab 05 that its checks must fail (labs/near_misses.py explains them).

On PostgreSQL the race step fails each one that leaves the row unlocked; on SQLite, where select_for_update()
does nothing and BEGIN IMMEDIATE serializes the transactions, the step that reads the code (with `ast`) does.
"""

from labs.near_misses import NearMiss

# Each near-miss quotes the lines of the solution it replaces, and those that take a lesson out the same way
# look alike: the repetition is the table, on purpose.

NEAR_MISSES = [
    NearMiss(
        "transaction.atomic() with no row lock, select_for_update named in the docstring only",
        (
            ('"""The sync island: read, check and write on one thread, in one transaction, with the row locked."""',
             '"""The sync island: read, check and write in one transaction (select_for_update keeps it safe)."""'),
            ("article = Article.objects.select_for_update().get(slug=slug)",
             "article = Article.objects.get(slug=slug)  # no select_for_update() needed inside atomic()"),
        ),
        lesson="select_for_update",
        differs_by_database=True,
    ),
    NearMiss(
        "select_for_update() called on its own line, its queryset thrown away",
        (
            ("article = Article.objects.select_for_update().get(slug=slug)",
             "Article.objects.select_for_update()  # lock the table\n"
             "        article = Article.objects.get(slug=slug)"),
        ),
        lesson="select_for_update",
        differs_by_database=True,
    ),
    NearMiss(
        "the status checked in the async view; the island only locks and writes",
        (
            ("        if article.status == Article.Status.PUBLISHED:\n            raise AlreadyPublished(slug)\n", ""),
            ("    try:\n        article = await sync_to_async(publish_article)",
             "    try:\n"
             "        if (await Article.objects.aget(slug=slug)).status == Article.Status.PUBLISHED:\n"
             "            raise AlreadyPublished(slug)\n"
             "        article = await sync_to_async(publish_article)"),
        ),
        lesson="read the draft before another one's write",
        differs_by_database=True,
    ),
    NearMiss(
        "request.user in the async view instead of await request.auser()",
        (("user = await request.auser()", "user = request.user"),),
        lesson="SynchronousOnlyOperation",
        differs_by_django=True,
    ),
    NearMiss(
        "async with transaction.atomic() around the island's call, in the async view",
        (
            ("        article = await sync_to_async(publish_article)(slug=slug, published_by=user)\n",
             "        async with transaction.atomic():\n"
             "            article = await sync_to_async(publish_article)(slug=slug, published_by=user)\n"),
        ),
        lesson="asynchronous context manager",
        differs_by_django=True,
    ),
    NearMiss(
        "race_window() left out: the check and the write back to back",
        (("        race_window()\n", ""),),
        lesson="race_window()",
        differs_by_database=True,
    ),
    NearMiss(
        "the row lock taken on the write, not on the read whose status is checked",
        (
            ("article = Article.objects.select_for_update().get(slug=slug)",
             "article = Article.objects.get(slug=slug)"),
            ('article.save(update_fields=["status", "published_at"])',
             "Article.objects.select_for_update().filter(pk=article.pk).update(\n"
             "            status=article.status, published_at=article.published_at\n"
             "        )"),
        ),
        lesson="the read whose status you check",
        differs_by_database=True,
    ),
    NearMiss(
        "the check in one transaction, the write in another",
        (("raise AlreadyPublished(slug)\n        race_window()",
          "raise AlreadyPublished(slug)\n    with transaction.atomic():\n        race_window()"),),
        lesson="the check and the write in one transaction.atomic()",
        differs_by_database=True,
    ),
    NearMiss(
        "select_for_update(nowait=True), and any exception answered 409",
        (
            ("select_for_update().get(slug=slug)", "select_for_update(nowait=True).get(slug=slug)"),
            ("    except AlreadyPublished:\n", "    except Exception:  # already published, or being published\n"),
        ),
        lesson="instead of waiting",
        differs_by_database=True,
    ),
    NearMiss(
        "published told by published_at, not by the status",
        (("if article.status == Article.Status.PUBLISHED:", "if article.published_at is not None:"),),
        lesson="taken back",
        differs_by_database=True,
    ),
]  # fmt: skip
