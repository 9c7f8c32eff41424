"""Server-sent events across worker processes through PostgreSQL's LISTEN/NOTIFY (REALTIME_BUS=postgres).

The events table numbers and keeps them, and LISTEN/NOTIFY hands each one to the broker of every process, with no
Redis.

SQLite has no such notification: on SQLite the way between processes is Redis (realtime/fanout.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import psycopg
from asgiref.sync import sync_to_async
from django.db import DatabaseError, connection, transaction
from django.db.models import Max

from realtime.fanout import BaseRelay, BusUnavailable
from realtime.models import StoredEvent

if TYPE_CHECKING:
    from realtime.broker import Event

log = logging.getLogger("realtime")

CHANNEL = "realtime_events"  # NOTIFY channels belong to one database: servers with databases of their own keep apart


class PostgresFanout:
    def __init__(self, *, backlog: int) -> None:
        self.backlog_size = backlog
        self.channel = CHANNEL
        self._relays: dict[asyncio.AbstractEventLoop, PgRelay] = {}

    def publish(self, topic: str, data: dict) -> Event:
        """Store, trim and notify in one transaction. Publishers take turns (the table lock), so ids commit, and
        notifications arrive, in id order; PostgreSQL delivers a NOTIFY only when its transaction commits."""
        from realtime.broker import Event

        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(f"LOCK TABLE {StoredEvent._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
                stored = StoredEvent.objects.create(topic=topic, data=data)
                oldest_kept = (StoredEvent.objects.filter(topic=topic).order_by("-id").values_list("id", flat=True))[
                    self.backlog_size - 1 : self.backlog_size
                ]
                StoredEvent.objects.filter(topic=topic, id__lt=oldest_kept).delete()
                event = Event(id=stored.id, topic=topic, data=data)
                with connection.cursor() as cursor:
                    payload = json.dumps({"id": event.id, "topic": topic, "data": data})
                    cursor.execute("SELECT pg_notify(%s, %s)", [self.channel, payload])
        except DatabaseError as error:
            raise BusUnavailable(f"the event bus (PostgreSQL) is unavailable: {error}") from error
        return event

    async def apublish(self, topic: str, data: dict) -> Event:
        return await sync_to_async(self.publish)(topic, data)

    async def listening(self, deliver: Callable[[Event | None], None], *, timeout: float = 5.0) -> None:
        """Return once this loop's relay LISTENs (starting it the first time); deliver(None) when it loses the
        database, so that the streams end and their clients resume from the table."""
        relay = self._relays.setdefault(asyncio.get_running_loop(), PgRelay(self.channel))
        if not await relay.listening(deliver, timeout=timeout):
            raise BusUnavailable(f"the event bus (PostgreSQL LISTEN) is unavailable: {relay.error or 'no answer'}")

    async def missed(self, topic: str, after: int) -> tuple[list[Event], int]:
        from realtime.broker import Event

        try:
            kept = [e async for e in StoredEvent.objects.filter(topic=topic, id__gt=after).order_by("id")]
            last_id = (await StoredEvent.objects.aaggregate(last=Max("id")))["last"] or 0
        except DatabaseError as error:
            raise BusUnavailable(f"the event bus (PostgreSQL) is unavailable: {error}") from error
        return [Event(id=e.id, topic=e.topic, data=e.data) for e in kept], last_id

    async def aclose(self) -> None:
        relay = self._relays.pop(asyncio.get_running_loop(), None)
        if relay is not None and relay.task is not None:
            relay.task.cancel()
            await asyncio.gather(relay.task, return_exceptions=True)


class PgRelay(BaseRelay):
    """One LISTENing connection per process, outside Django's pool: it is held for the process's life."""

    task_name = "realtime-pg-relay"

    async def run(self) -> None:
        from realtime.broker import Event

        settings = connection.settings_dict
        try:
            conn = await psycopg.AsyncConnection.connect(
                dbname=settings["NAME"],
                user=settings["USER"] or None,
                password=settings["PASSWORD"] or None,
                host=settings["HOST"] or None,
                port=settings["PORT"] or None,
                autocommit=True,
                connect_timeout=5,
            )
        except psycopg.Error as error:
            self.error = str(error)
            self.deliver(None)
            return
        try:
            await conn.execute(f"LISTEN {self.channel}")
            self.subscribed.set()  # LISTEN is in effect: a NOTIFY committed from now on reaches this connection
            async for notify in conn.notifies():
                fields = json.loads(notify.payload)
                self.deliver(Event(id=fields["id"], topic=fields["topic"], data=fields["data"]))
        except psycopg.Error as error:
            self.error = str(error)
            log.warning("the event bus (PostgreSQL) was lost (%s): ending this process's streams", error)
        finally:
            self.subscribed.clear()
            self.deliver(None)
            with contextlib.suppress(psycopg.Error):
                await conn.close()
