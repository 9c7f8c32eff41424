"""The chat room's WebSocket consumer in-process, through config.asgi's whole WebSocket stack (origin check, session
user, routing), with Channels' WebsocketCommunicator: first on the in-memory layer, then on the real Redis one."""

import contextlib
import json

import pytest
from channels.layers import get_channel_layer
from channels.testing import HttpCommunicator, WebsocketCommunicator
from channels_redis.core import RedisChannelLayer
from django.conf import settings as django_settings

from config.asgi import application
from realtime.consumers import MAX_TEXT
from tests.conftest import TEST_PASSWORD

# Every test here reads the database from the consumer's thread (database_sync_to_async), which sees only committed
# rows: hence transaction=True rather than a test wrapped in a transaction.
pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 5  # seconds for any one step: the communicator's default of 1 s is tight on a loaded 2-core machine
IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    """A fresh in-memory layer for each test (a settings change makes Channels build its layers again)."""
    settings.CHANNEL_LAYERS = IN_MEMORY


@contextlib.asynccontextmanager
async def room_socket(path: str = "/ws/rooms/lobby/", *, origin: str | None = "http://localhost:8000", cookie=""):
    """A communicator on config.asgi's application that is always disconnected, whatever the test does with it."""
    headers = [(b"origin", origin.encode())] if origin else []
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    try:
        yield communicator
    finally:
        await communicator.disconnect(timeout=TIMEOUT)


async def joined(communicator) -> dict:
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected, "the handshake was refused"
    return await communicator.receive_json_from(timeout=TIMEOUT)


async def test_http_still_goes_to_django_through_the_protocol_router():
    communicator = HttpCommunicator(application, "GET", "/realtime/stats/", headers=[(b"host", b"localhost")])
    response = await communicator.get_response(timeout=TIMEOUT)
    assert response["status"] == 200
    assert json.loads(response["body"])["subscribers"] == {}


async def test_a_message_reaches_everyone_in_the_room_and_no_one_outside_it(seeded):
    async with room_socket() as ada, room_socket() as alan, room_socket("/ws/rooms/elsewhere/") as other:
        welcome = await joined(ada)
        assert welcome == {"type": "welcome", "room": "lobby", "user": "anonymous", "published_articles": 40}
        await joined(alan)
        await joined(other)
        await ada.send_json_to({"text": "hello"})
        expected = {"type": "message", "room": "lobby", "user": "anonymous", "text": "hello"}
        assert await ada.receive_json_from(timeout=TIMEOUT) == expected  # the sender too
        assert await alan.receive_json_from(timeout=TIMEOUT) == expected
        assert await other.receive_nothing(timeout=0.2)


async def test_the_session_user_comes_from_the_cookie(seeded, async_client):
    await async_client.alogin(username="editor", password=TEST_PASSWORD)
    cookie = f"{django_settings.SESSION_COOKIE_NAME}={async_client.cookies[django_settings.SESSION_COOKIE_NAME].value}"
    async with room_socket(cookie=cookie) as editor:
        assert (await joined(editor))["user"] == "editor"
        await editor.send_json_to({"text": "signed"})
        assert (await editor.receive_json_from(timeout=TIMEOUT))["user"] == "editor"


@pytest.mark.parametrize(
    ("origin", "accepted"),
    [
        ("http://localhost:8000", True),  # a page of this site (ALLOWED_HOSTS has localhost, any port)
        ("http://127.0.0.1:5173", True),
        ("https://evil.example", False),  # another site's page, which would ride on the user's cookies
        ("http://localhost.evil.example", False),
        (None, False),  # no Origin header at all: not a browser, and refused unless ALLOWED_HOSTS has "*"
    ],
)
async def test_a_handshake_from_another_origin_is_refused(seeded, origin, accepted):
    async with room_socket(origin=origin) as communicator:
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected is accepted


@pytest.mark.parametrize("path", ["/ws/nowhere/", "/ws/rooms/", "/ws/rooms/a b/", f"/ws/rooms/{'r' * 51}/"])
async def test_an_unknown_path_is_refused_without_an_exception(path):
    async with room_socket(path) as communicator:
        # Refused at the handshake (a browser sees HTTP 403). Had the application raised, as URLRouter does for a path
        # no route matches, connect() would raise it here.
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected is False


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        ({"text_data": "not json"}, "not JSON"),
        ({"text_data": "[1, 2]"}, 'non-empty "text" string'),
        ({"text_data": json.dumps({"text": "   "})}, 'non-empty "text" string'),
        ({"text_data": json.dumps({"text": 5})}, 'non-empty "text" string'),
        ({"text_data": json.dumps({"text": "x" * (MAX_TEXT + 1)})}, f"at most {MAX_TEXT}"),
        ({"bytes_data": b"\x00\x01"}, "not binary frames"),
    ],
)
async def test_a_bad_message_gets_an_error_and_the_socket_stays_open(seeded, frame, error):
    async with room_socket() as communicator:
        await joined(communicator)
        await communicator.send_to(**frame)
        answer = await communicator.receive_json_from(timeout=TIMEOUT)
        assert answer["type"] == "error"
        assert error in answer["error"]
        await communicator.send_json_to({"text": "x" * MAX_TEXT})  # the longest valid message still goes through
        assert (await communicator.receive_json_from(timeout=TIMEOUT))["type"] == "message"


async def test_a_closed_socket_leaves_its_group(seeded):
    layer = get_channel_layer()
    async with room_socket("/ws/rooms/leaving/") as communicator:
        await joined(communicator)
        assert len(layer.groups["room.leaving"]) == 1
    assert not layer.groups.get("room.leaving"), "the consumer's channel is still in the group after disconnect"


# --- The same room on Redis, the layer every worker process shares --------------------------------------------


@pytest.fixture
def redis_layer(settings, redis_url, redis_prefix):
    """channels-redis on the local Redis, with this test's own prefix."""
    config = {"hosts": [redis_url], "prefix": redis_prefix}
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": config}}
    return config


async def test_on_redis_a_message_reaches_the_room_and_a_layer_of_another_process(seeded, redis_layer):
    """A second RedisChannelLayer object is what another worker process would have: its own connection to Redis."""
    assert isinstance(get_channel_layer(), RedisChannelLayer)
    other_worker = RedisChannelLayer(**redis_layer)
    listener = await other_worker.new_channel()
    await other_worker.group_add("room.shared", listener)
    try:
        async with room_socket("/ws/rooms/shared/") as ada, room_socket("/ws/rooms/shared/") as alan:
            await joined(ada)
            await joined(alan)
            await ada.send_json_to({"text": "across"})
            assert (await alan.receive_json_from(timeout=TIMEOUT))["text"] == "across"
            relayed = await other_worker.receive(listener)
            assert relayed == {"type": "room.message", "user": "anonymous", "text": "across"}
    finally:
        await other_worker.group_discard("room.shared", listener)
        await other_worker.flush()
        await get_channel_layer().flush()
