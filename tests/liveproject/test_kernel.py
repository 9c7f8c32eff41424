"""Django inside a notebook kernel: emulated by a script whose code runs inside a running event loop."""

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_like_a_kernel(script: str) -> subprocess.CompletedProcess:
    """`script` in a fresh interpreter, as a notebook's kernel runs cells (its own event loop); it must exit 0."""
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


NOTEBOOK_LIKE = textwrap.dedent(
    """
    import asyncio
    from liveproject import LiveServer, use_django

    async def cells():
        server = LiveServer("uvicorn").start()
        use_django(server)
        from articles.models import Article
        from django.core.exceptions import SynchronousOnlyOperation
        print("count", await Article.objects.acount())
        try:
            Article.objects.count()
        except SynchronousOnlyOperation:
            print("sync ORM in a running loop: SynchronousOnlyOperation")
        server.login("editor").post("/articles/async/article-41/publish/").raise_for_status()
        print("sees the server's write", await Article.objects.published().acount())
        other = LiveServer("uvicorn").start()
        use_django(other)
        print("switched database", await Article.objects.published().acount())
        from liveproject.kernel import slow_query
        import time
        started = time.perf_counter()
        await asyncio.gather(*(slow_query(0.1).afirst() for _ in range(3)))
        print("three slow queries through gather took 0.3 s or more:", time.perf_counter() - started >= 0.29)
        server.stop()
        other.stop()
        print("stopped")

    asyncio.run(cells())
    """
)


@pytest.mark.live
def test_the_kernel_shares_the_servers_database_through_the_async_orm():
    result = run_like_a_kernel(NOTEBOOK_LIKE)
    assert result.stdout.splitlines() == [
        "count 60",
        "sync ORM in a running loop: SynchronousOnlyOperation",
        "sees the server's write 41",
        "switched database 40",
        "three slow queries through gather took 0.3 s or more: True",
        "stopped",
    ]
    assert result.stderr == ""  # nothing leaks into a notebook's output


EXITS_WITHOUT_STOPPING = textwrap.dedent(
    """
    import asyncio, json
    from liveproject import LiveServer, use_django

    server = LiveServer("uvicorn").start()
    use_django(server)
    from articles.models import Article
    asyncio.run(Article.objects.acount())
    print(json.dumps(server.worker_pids()))
    """
)


@pytest.mark.live
def test_exiting_with_a_server_attached_to_the_kernel_is_quiet_and_stops_it():
    from tests.liveproject.test_server import all_dead

    result = run_like_a_kernel(EXITS_WITHOUT_STOPPING)
    assert result.stderr == ""
    assert all_dead(json.loads(result.stdout))


async def test_count_thread_hops_counts_each_crossing_of_the_default_and_native_stacks(settings):
    from liveproject.kernel import count_thread_hops

    status, hops = await count_thread_hops("/ping/async/")
    assert status == 200
    assert len(hops) == 15
    assert hops.count("Signal.asend.<locals>.sync_send") == 1
    assert "HttpResponseBase.close" in hops
    native = [m for m in settings.MIDDLEWARE if m.startswith("config.")]
    assert await count_thread_hops("/ping/async/", middleware=native) == (
        200,
        ["Signal.asend.<locals>.sync_send", "HttpResponseBase.close"],
    )
    status, hops = await count_thread_hops("/ping/async/", middleware=[*native, "config.middleware.SyncOnlyMiddleware"])
    assert "BaseHandler._get_response_async" in hops  # async_to_sync back into the async view: counted too


@pytest.mark.django_db(transaction=True)
async def test_counting_crossings_counts_one_hop_per_chunk_and_never_evaluates_what_it_names(seeded):
    from articles.models import Article
    from liveproject.kernel import counting_crossings

    with counting_crossings() as whole:
        rows = [article async for article in Article.objects.all()]
    with counting_crossings() as chunks:
        chunked = [article async for article in Article.objects.all().aiterator(chunk_size=10)]
    with counting_crossings() as none:
        await asyncio.sleep(0)
    assert len(rows) == len(chunked) == 60
    assert whole == ["QuerySet._fetch_all"]  # the name, not repr(queryset.method), which would run a query
    assert len(chunks) == 7
    assert set(chunks) == {"BaseIterable._async_generator.<locals>.next_slice"}
    assert none == []


POOL_CONNECTIONS = textwrap.dedent(
    """
    import asyncio, time
    from liveproject import LiveServer, use_django
    from liveproject.kernel import connections_left_open, slow_query

    async def cells():
        with LiveServer("uvicorn") as server:
            use_django(server)
            before = server.database_connections()
            for concurrent in (1, 3):
                count, how = await connections_left_open(server, lambda: list(slow_query(0.1)), concurrent)
                print("left open", count, how)
            if before is not None:  # PostgreSQL: closed for real (a backend is listed until its process exits)
                deadline = time.monotonic() + 10
                while server.database_connections() > before and time.monotonic() < deadline:
                    time.sleep(0.05)
                print("backends after closing", server.database_connections() - before)

    asyncio.run(cells())
    """
)


@pytest.mark.live
def test_each_pool_thread_leaves_a_connection_open_until_close_pool_connections():
    result = run_like_a_kernel(POOL_CONNECTIONS)
    lines = result.stdout.splitlines()
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        how = "their backends listed in pg_stat_activity"
        assert lines[-1] == "backends after closing 0"
    else:
        how = "distinct open SQLite connections of the pool's threads"
    assert lines[:2] == [f"left open 1 {how}", f"left open 3 {how}"]


def test_close_pool_connections_closes_each_threads_connection_and_stops_the_pool(monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    from liveproject.kernel import close_pool_connections

    opened = []

    class FakeConnections:  # stands in for django.db.connections: records which thread closed
        def close_all(self):
            opened.append(threading.current_thread().name)

    pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="pool")
    barrier = threading.Barrier(3)
    for future in [pool.submit(barrier.wait, 10) for _ in range(3)]:  # make the pool start its three threads
        future.result()
    monkeypatch.setattr("django.db.connections", FakeConnections())
    close_pool_connections(pool)
    assert sorted(opened) == ["pool_0", "pool_1", "pool_2"]  # one close on each thread, none twice
    assert not any(thread.is_alive() for thread in pool._threads)
