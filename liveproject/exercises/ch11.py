"""Exercise checks for chapters/11-realtime.ipynb (how they work: liveproject.exercises)."""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING

from liveproject.exercises.common import judge

if TYPE_CHECKING:
    from collections.abc import Callable

    from liveproject.server import LiveServer


def check_11_resume(resume: Callable[[str, int, int], object], server: LiveServer) -> None:
    """Exercise 11.1: resume(url, last_id, n) reads the stream at `url` as a client coming back after event `last_id`
    would, and returns the ids (ints) of the first n events it gets."""
    topic = f"resume-{secrets.token_hex(3)}"
    publisher = server.login("editor")
    seen = publisher.post(f"/realtime/{topic}/publish/", json={"message": "seen"}).json()["id"]
    missed = [publisher.post(f"/realtime/{topic}/publish/", json={"message": m}).json()["id"] for m in "abc"]
    started = time.perf_counter()
    try:  # ?limit=3: the server ends the stream after the three missed events, so no answer can read forever
        ids = resume(f"{server.url}/realtime/{topic}/events/?limit=3", seen, 2)
    except Exception as exc:  # noqa: BLE001 - shown to the student as a hint
        ids = f"{type(exc).__name__}: {exc}"
    elapsed = time.perf_counter() - started
    asked = bool(server.log_lines(f"on {topic} resumes after id {seen}"))
    judge(
        "Exercise 11.1",
        ids == missed[:2] and asked and elapsed < 5,
        f"Got {ids!r} after {elapsed:.1f} s; the first two events published after id {seen} were {missed[:2]}, and "
        f"the server {'saw' if asked else 'did not see'} a client resuming after id {seen}. Send the last id you "
        "saw in the Last-Event-ID header, read lines with client.stream(...) and iter_lines(), collect int(...) of "
        "each 'id: ' line, and leave after the n-th.",
    )


def check_11_say(say: Callable[[str, str], object], server: LiveServer) -> None:
    """Exercise 11.2: say(room_url, text) joins the room over a WebSocket, sends {"text": text}, returns the message
    the room sends back (a dict), and closes the socket properly (a close frame, code 1000) however it ends."""
    room = f"say-{secrets.token_hex(3)}"
    url = server.url.replace("http://", "ws://") + f"/ws/rooms/{room}/"  # type: ignore[union-attr]  # a running server has its url
    try:
        answer = say(url, "hello, room")
    except Exception as exc:  # noqa: BLE001 - shown to the student as a hint
        answer = f"{type(exc).__name__}: {exc}"
    closed = ""
    deadline = time.monotonic() + 3
    while not closed and time.monotonic() < deadline:
        closed = next(iter(server.log_lines(f"in room {room} closed with code")), "")
        time.sleep(0.02)
    code = closed.rsplit(" ", 1)[-1] if closed else "none yet"
    expected = {"type": "message", "room": room, "user": "anonymous", "text": "hello, room"}
    judge(
        "Exercise 11.2",
        answer == expected and code == "1000",
        f"Got {answer!r}; the server saw the socket close with code {code}. Connect with the server's own Origin "
        "(origin=...), skip the welcome, send json.dumps({'text': text}), return json.loads of the first message "
        "of type 'message', "
        "and let a `with connect(...)` block close the socket: leaving it sends the close frame (code 1000), "
        "where a dropped connection shows as 1006.",
    )


def check_11_limit(answer: object) -> None:
    """Exercise 11.3: how many EventSource streams a page keeps open to one origin over HTTP/1.1 before its next
    request to that origin has to wait."""
    judge(
        "Exercise 11.3",
        answer == 6,
        "Section 3 opened seven streams from one page: how many of them opened before the others, and the "
        "page's fetch, had to wait?",
    )
