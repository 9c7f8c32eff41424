"""WebSocket consumers of the realtime app (Channels): chat rooms whose messages reach everyone in the room.

realtime/routing.py maps /ws/rooms/<room>/ here; config/asgi.py puts two guards in front (the Origin check and the
session's user). A room is a Channels *group*: the channel layer (settings.CHANNEL_LAYERS) delivers a group message
to every consumer in it, in this process with the in-memory layer, in every worker process with Redis.
"""

import json
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from articles.selectors import article_list_published

logger = logging.getLogger(__name__)

MAX_TEXT = 500  # characters in one chat message; the server caps a whole WebSocket message too (daphne: 1 MiB)


@database_sync_to_async
def published_articles() -> int:
    """How many articles are published. database_sync_to_async runs it on a thread like sync_to_async, and calls
    close_old_connections() before and after, as the start and end of a request would: a consumer lives for hours,
    and without that a connection the database has dropped (or one older than CONN_MAX_AGE) would be reused."""
    return article_list_published().count()


def parse_message(text_data: str | None) -> tuple[str, str]:
    """(text, "") for a valid {"text": "..."} message, ("", why) for anything else."""
    if text_data is None:
        return "", "send text frames holding JSON, not binary frames"
    try:
        content = json.loads(text_data)
    except ValueError:
        return "", "the message is not JSON"
    text = content.get("text") if isinstance(content, dict) else None
    if not isinstance(text, str) or not text.strip():
        return "", 'send an object with a non-empty "text" string, e.g. {"text": "hello"}'
    if len(text) > MAX_TEXT:
        return "", f'"text" is {len(text)} characters long; at most {MAX_TEXT} are allowed'
    return text, ""


class RoomConsumer(AsyncWebsocketConsumer):
    """/ws/rooms/<room>/: a chat room, JSON in and out.

    On connect: {"type": "welcome", "room", "user", "published_articles"}.
    Send {"text": "hello"}: everyone in the room, you included, receives {"type": "message", "room", "user", "text"}.
    Anything else gets {"type": "error", "error": why} back, and the connection stays open (a WebSocket's 400).
    """

    async def connect(self) -> None:
        self.room = self.scope["url_route"]["kwargs"]["room"]
        self.group = ""  # joined below; disconnect() leaves only a group it joined
        user = self.scope.get("user")  # AuthMiddlewareStack's; None when a test routes to this consumer directly
        # Read once, at the handshake: a socket opened before a logout stays this user's until it closes.
        self.user = user.get_username() if user is not None and user.is_authenticated else "anonymous"
        welcome = {"room": self.room, "user": self.user, "published_articles": await published_articles()}
        await self.accept()
        self.group = f"room.{self.room}"  # after the database: a query that fails leaves no membership behind
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send_json({"type": "welcome", **welcome})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        text, problem = parse_message(text_data)
        if problem:
            await self.send_json({"type": "error", "error": problem})
            return
        await self.channel_layer.group_send(self.group, {"type": "room.message", "user": self.user, "text": text})

    async def room_message(self, event: dict) -> None:
        """A group message of type "room.message" (Channels calls the method named after the type)."""
        await self.send_json({"type": "message", "room": self.room, "user": event["user"], "text": event["text"]})

    async def disconnect(self, code: int) -> None:
        """The client went away (or the server closed the socket): leave the group, or the layer keeps sending to a
        channel nobody reads until the group's expiry (a day, by default, on Redis)."""
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
        logger.info("socket of %s in room %s closed with code %s", self.user, self.room, code)

    async def send_json(self, content: dict) -> None:
        await self.send(text_data=json.dumps(content))


class NotFoundConsumer(AsyncWebsocketConsumer):
    """Any other WebSocket path: the handshake is refused (the client sees HTTP 403) instead of an exception in the
    server's log, which is what URLRouter raises for a path no route matches."""

    async def connect(self) -> None:
        await self.close()
