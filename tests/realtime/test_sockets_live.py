"""The chat room over real WebSockets, under daphne (Channels' server) and uvicorn, with HTTP still served by Django
on the same port; and what each server does with a message larger than it accepts."""

import json

import pytest
from websockets.exceptions import ConnectionClosedError, InvalidStatus
from websockets.sync.client import connect

from liveproject import LiveServer

pytestmark = pytest.mark.live  # every test here starts a server

TIMEOUT = 5  # seconds for any one step


@pytest.fixture(scope="module", params=["daphne", "uvicorn"])
def server(request):
    with LiveServer(request.param) as server:
        yield server


def room(server, name: str, *, origin: str | None = None):
    """A WebSocket client on /ws/rooms/<name>/, with the Origin a page of the server's own site would send."""
    url = server.url.replace("http://", "ws://") + f"/ws/rooms/{name}/"
    return connect(url, origin=origin or server.url, open_timeout=TIMEOUT, close_timeout=TIMEOUT, proxy=None)


def receive(socket) -> dict:
    return json.loads(socket.recv(timeout=TIMEOUT))


def test_http_and_websockets_share_the_port(server):
    assert server.client.get("/where/async/").json()["interface"] == "ASGI"
    with room(server, "lobby") as ada, room(server, "lobby") as alan:
        assert receive(ada)["type"] == receive(alan)["type"] == "welcome"
        ada.send(json.dumps({"text": "hello from ada"}))
        assert receive(alan) == {"type": "message", "room": "lobby", "user": "anonymous", "text": "hello from ada"}
        assert receive(ada)["text"] == "hello from ada"


def test_the_session_user_arrives_with_the_cookie(server):
    url = server.url.replace("http://", "ws://") + "/ws/rooms/signed/"
    headers = {"Cookie": server.login_headers("editor")["Cookie"]}
    with connect(url, origin=server.url, additional_headers=headers, open_timeout=TIMEOUT, proxy=None) as socket:
        assert receive(socket)["user"] == "editor"


def test_a_page_of_another_site_cannot_open_a_socket(server):
    with pytest.raises(InvalidStatus) as refused:
        room(server, "lobby", origin="https://evil.example")
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize("size", [1024 * 1024 - 1024, 1024 * 1024 + 1024, 2 * 1024 * 1024])
def test_a_message_above_the_servers_limit_never_reaches_the_consumer(server, size):
    """daphne drops a connection whose message is over 1 MiB (its default since 4.2.2), with no close frame; the
    consumer's disconnect() sees code 1006. uvicorn's limit is 16 MiB (--ws-max-size): 2 MiB reach the consumer,
    whose own rule answers. Under each server's limit, the consumer's rule is the one that speaks."""
    name = f"big-{size}"
    with room(server, name) as socket:
        receive(socket)  # welcome
        message = json.dumps({"text": "x" * size})
        if server.kind == "daphne" and size > 1024 * 1024:
            # daphne drops the connection once it has read 1 MiB: the client may still be sending the rest (the
            # send fails with a reset), or be waiting for an answer (the recv fails); both raise the same error
            with pytest.raises(ConnectionClosedError) as closed:  # noqa: PT012 - either call may meet the drop
                socket.send(message)
                socket.recv(timeout=TIMEOUT)
            assert closed.value.rcvd is None  # dropped, not closed with a code
            assert server.wait_for_log(f"in room {name} closed with code 1006")
        else:
            socket.send(message)
            answer = receive(socket)
            assert answer["type"] == "error"
            assert f"{size} characters long; at most 500" in answer["error"]
