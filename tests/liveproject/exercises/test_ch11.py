"""liveproject.exercises.ch11: each check passes the right answer and rejects near-misses with a hint."""

import contextlib
import json

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from liveproject.exercises.ch11 import check_11_limit, check_11_resume, check_11_say
from liveproject.exercises.common import NotYet


def read_ids(url, n, headers):
    ids = []
    with httpx.Client(timeout=5) as client, client.stream("GET", url, headers=headers) as response:
        for line in response.iter_lines():
            if line.startswith("id: "):
                ids.append(int(line.removeprefix("id: ")))
                if len(ids) == n:
                    break
    return ids


def test_11_1_accepts_a_client_that_sends_its_last_id(uvicorn_server):
    check_11_resume(lambda url, last_id, n: read_ids(url, n, {"Last-Event-ID": str(last_id)}), uvicorn_server)
    check_11_resume(lambda url, last_id, n: read_ids(f"{url}&last_event_id={last_id}", n, {}), uvicorn_server)


def test_11_1_rejects_a_client_that_does_not_say_where_it_was(uvicorn_server):
    def forgets(url, last_id, n):  # a first connection: no backlog, waits for new events until httpx gives up
        try:
            return read_ids(url, n, {})
        except httpx.ReadTimeout:
            return []

    def wrong_id(url, last_id, n):
        return read_ids(url, n, {"Last-Event-ID": "0"})

    def reads_to_the_end(url, last_id, n):  # ignores n: all three missed events
        return read_ids(url, 10, {"Last-Event-ID": str(last_id)})

    for wrong in (forgets, wrong_id, reads_to_the_end):
        with pytest.raises(NotYet, match="Last-Event-ID"):
            check_11_resume(wrong, uvicorn_server)


def say_right(url, text):
    with connect(url, origin=url.replace("ws://", "http://").split("/ws/")[0], proxy=None, open_timeout=5) as socket:
        socket.send(json.dumps({"text": text}))
        while (message := json.loads(socket.recv(timeout=5)))["type"] != "message":
            pass
        return message


def test_11_2_accepts_a_socket_that_is_closed_properly(uvicorn_server):
    check_11_say(say_right, uvicorn_server)


def test_11_2_rejects_a_dropped_socket_and_a_wrong_answer(uvicorn_server):
    def drops(url, text):
        origin = url.replace("ws://", "http://").split("/ws/")[0]
        with contextlib.suppress(ConnectionClosed), connect(url, origin=origin, proxy=None) as socket:
            socket.send(json.dumps({"text": text}))
            while (message := json.loads(socket.recv(timeout=5)))["type"] != "message":
                pass
            socket.socket.close()  # gone without a close frame
        return message

    def returns_the_welcome(url, text):
        with connect(url, origin=url.replace("ws://", "http://").split("/ws/")[0], proxy=None) as socket:
            return json.loads(socket.recv(timeout=5))

    def never_reads(url, text):
        with connect(url, origin=url.replace("ws://", "http://").split("/ws/")[0], proxy=None) as socket:
            socket.send(json.dumps({"text": text}))
            return {"text": text}

    for wrong in (drops, returns_the_welcome, never_reads):
        with pytest.raises(NotYet, match="close"):
            check_11_say(wrong, uvicorn_server)


def test_11_3_accepts_six():
    check_11_limit(6)
    for wrong in (1, 5, 7, 100, None, "6"):
        with pytest.raises(NotYet, match="seven streams"):
            check_11_limit(wrong)
