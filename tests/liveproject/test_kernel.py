"""Django inside a notebook kernel: emulated by a script whose code runs inside a running event loop."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

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


def test_the_kernel_shares_the_servers_database_through_the_async_orm():
    result = subprocess.run(
        [sys.executable, "-c", NOTEBOOK_LIKE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
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


def test_exiting_with_a_server_attached_to_the_kernel_is_quiet_and_stops_it():
    from tests.liveproject.test_server import all_dead

    result = subprocess.run(
        [sys.executable, "-c", EXITS_WITHOUT_STOPPING], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert all_dead(json.loads(result.stdout))


async def test_count_thread_hops_counts_each_crossing_of_the_default_and_native_stacks(settings):
    from liveproject.kernel import count_thread_hops

    status, hops = await count_thread_hops("/ping/async/")
    assert status == 200 and len(hops) == 15
    assert hops.count("Signal.asend.<locals>.sync_send") == 1 and "HttpResponseBase.close" in hops
    native = [m for m in settings.MIDDLEWARE if m.startswith("config.")]
    assert await count_thread_hops("/ping/async/", middleware=native) == (
        200,
        ["Signal.asend.<locals>.sync_send", "HttpResponseBase.close"],
    )
    status, hops = await count_thread_hops("/ping/async/", middleware=[*native, "config.middleware.SyncOnlyMiddleware"])
    assert "BaseHandler._get_response_async" in hops  # async_to_sync back into the async view: counted too
