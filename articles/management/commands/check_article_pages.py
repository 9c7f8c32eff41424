"""python manage.py check_article_pages --base-url http://127.0.0.1:8000: fetch every published article's
JSON page over HTTP, a few at a time, and report the statuses.

Async code outside a request: handle() is sync code with no event loop, so it starts one with
asyncio.run() for the async part. The loop, and the HTTP client that belongs to it, live exactly as long as
that call. Inside it, the ORM must be used through its async methods (or sync_to_async), as in a view.
"""

import asyncio
import time
from collections import Counter

import httpx
from django.core.management.base import BaseCommand, CommandError

from articles.models import Article


class Command(BaseCommand):
    help = "Fetch /articles/async/<slug>/ for each published article, concurrently, and report the statuses."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", required=True, help="the running server, e.g. http://127.0.0.1:8000")
        parser.add_argument("--concurrency", type=int, default=5, help="requests in flight at once (1-50)")
        parser.add_argument("--limit", type=int, default=40, help="how many published articles to check (1-1000)")

    def handle(self, *args, base_url, concurrency, limit, **options):
        if not 1 <= concurrency <= 50:
            raise CommandError("--concurrency must be between 1 and 50")
        if not 1 <= limit <= 1000:
            raise CommandError("--limit must be between 1 and 1000")
        started = time.perf_counter()
        statuses = asyncio.run(self.check_pages(base_url.rstrip("/"), concurrency, limit))
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items(), key=str))
        self.stdout.write(f"checked {sum(statuses.values())} article pages ({summary}) in {elapsed:.2f} s")
        if set(statuses) != {200}:
            raise CommandError("some article pages did not answer 200")

    async def check_pages(self, base_url: str, concurrency: int, limit: int) -> Counter:
        published = Article.objects.published().order_by("slug").values_list("slug", flat=True)[:limit]
        slugs = [slug async for slug in published]  # the async ORM: a sync query here would raise
        semaphore = asyncio.Semaphore(concurrency)
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:

            async def fetch(slug: str) -> int | str:
                async with semaphore:
                    try:
                        return (await client.get(f"/articles/async/{slug}/")).status_code
                    except httpx.HTTPError as exc:
                        return type(exc).__name__

            return Counter(await asyncio.gather(*(fetch(slug) for slug in slugs)))
