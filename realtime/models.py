"""What the realtime app stores: events, when PostgreSQL carries them between processes.

Only with REALTIME_BUS=postgres (realtime/pg_fanout.py); the default broker and the Redis one keep nothing here."""

from django.db import models


class StoredEvent(models.Model):
    """One published event: its id is the event's id, and the newest BACKLOG of each topic are kept."""

    topic = models.CharField(max_length=50)
    data = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["topic", "id"], name="realtime_event_topic_id")]

    def __str__(self) -> str:
        return f"event {self.id} on {self.topic}"
