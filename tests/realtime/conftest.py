"""The two event buses, each as a pair of brokers with a fanout of their own: what two worker processes of one server
would have. A bus's own tests use its pair (test_fanout.py: Redis, test_pg_fanout.py: PostgreSQL); a behaviour that
every bus must have is written once and runs on each (`workers_of_each_bus`)."""

import pytest
import redis
from django.db import connection

from realtime.broker import Broker
from realtime.fanout import RedisFanout


@pytest.fixture
async def redis_workers(redis_url, redis_prefix):
    """Two brokers on one Redis key space; their relays and connections are closed whatever the test does."""
    pair = [Broker(fanout=RedisFanout(redis_url, prefix=redis_prefix, backlog=5)) for _ in range(2)]
    yield pair
    for broker in pair:
        await broker.fanout.aclose()
    with redis.Redis.from_url(redis_url) as client:
        client.delete(*client.keys(f"{redis_prefix}:*") or ["-"])


@pytest.fixture
async def pg_workers():
    """Two brokers on the test database's events table; PostgreSQL track only. A test that uses them needs
    django_db(transaction=True): NOTIFY is delivered on commit."""
    if connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's: this runs on the PostgreSQL track")
    from realtime.pg_fanout import PostgresFanout

    pair = [Broker(fanout=PostgresFanout(backlog=5)) for _ in range(2)]
    yield pair
    for broker in pair:
        await broker.fanout.aclose()


@pytest.fixture(
    params=[
        pytest.param("redis_workers", id="redis"),
        pytest.param("pg_workers", id="postgres", marks=pytest.mark.django_db(transaction=True)),  # NOTIFY on commit
    ]
)
def workers_of_each_bus(request):
    """The pair of one bus, then of the other: a test that takes it runs once per bus (`[redis]`, `[postgres]`)."""
    return request.getfixturevalue(request.param)
