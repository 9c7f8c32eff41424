"""Server-sent events across processes through PostgreSQL's LISTEN/NOTIFY, in-process: two Broker objects, each with
its own PostgresFanout and its own LISTENing connection, are what two worker processes would have (`pg_workers`,
tests/realtime/conftest.py). PostgreSQL track only: SQLite has no LISTEN/NOTIFY (the settings refuse
REALTIME_BUS=postgres there, tested too). The delivery test that every bus passes is test_fanout.py's, run on both."""

import asyncio
import threading

import pytest
from django.db import connection

from realtime.models import StoredEvent

TIMEOUT = 5

pytestmark = pytest.mark.django_db(transaction=True)  # NOTIFY is delivered on commit


async def next_event(subscription):
    return await asyncio.wait_for(subscription.next(), TIMEOUT)


async def test_a_client_that_comes_back_to_another_process_gets_what_the_table_kept(pg_workers):
    one, other = pg_workers
    sent = [await one.apublish("news", {"n": n}) for n in range(7)]
    assert await StoredEvent.objects.filter(topic="news").acount() == 5  # the backlog, trimmed as it grows
    async with other.subscribe("news", after=sent[3].id) as subscription:
        assert [event.data["n"] for event in subscription.missed] == [4, 5, 6]
        newer = await one.apublish("news", {"n": 7})
        assert await next_event(subscription) == newer


async def test_publishers_racing_in_threads_are_delivered_in_the_order_of_their_ids(pg_workers):
    one, other = pg_workers
    async with one.subscribe("race") as subscription:

        def publish_ten():
            for i in range(10):
                other.publish("race", {"i": i})
            connection.close()  # this thread's connection

        threads = [threading.Thread(target=publish_ten) for _ in range(3)]
        for thread in threads:
            thread.start()
        got = [await next_event(subscription) for _ in range(30)]
        for thread in threads:
            thread.join(TIMEOUT)
    ids = [event.id for event in got]
    assert ids == sorted(ids)
    assert len(set(ids)) == 30


@pytest.mark.parametrize(
    ("env", "refusal"),
    [
        ({"DATABASE_URL": "sqlite:///x.sqlite3", "REALTIME_BUS": "postgres"}, "needs a PostgreSQL DATABASE_URL"),
        ({"REDIS_URL": "", "REALTIME_BUS": "redis"}, "needs REDIS_URL"),
        ({"REALTIME_BUS": "kafka"}, "must be redis, postgres or empty"),
    ],
)
def test_the_settings_refuse_a_bus_that_cannot_work(monkeypatch, env, refusal):
    import runpy

    from django.core.exceptions import ImproperlyConfigured

    from liveproject.databases import PROJECT_ROOT

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=refusal):
        runpy.run_path(str(PROJECT_ROOT / "config" / "settings.py"))
