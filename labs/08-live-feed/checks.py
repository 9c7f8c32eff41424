"""Checks of lab 08 (a live feed). Run them with `python -m labs check 08` or `nox -s lab -- 08`.

The server is what production runs: gunicorn with two UvicornWorker processes, which share events through Redis
(REDIS_URL, or the Redis on 127.0.0.1:6379). The checks read the feed as a browser does, with a client of their own,
and take what the server really did from the project itself, never from what your code says about itself: the
articles' own endpoint (is it published? its title?) and /realtime/stats/, where each worker process tells how
many streams listen to the topic "articles" and the last event id it has seen.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time

import httpx
import redis

from labs.runner import Step, StepFailed
from liveproject.load import run_in_own_loop
from liveproject.sse import Stream, listeners_per_worker, streams_on_every_worker

TOPIC = "articles"
WORKERS = 2
HEARTBEAT = 0.5  # seconds of silence before a heartbeat: short, so the checks need not wait 15 s for one
SERVER_SETTINGS = {"REALTIME_HEARTBEAT_SECONDS": HEARTBEAT}
WITHIN = 3.0  # seconds an event may take to arrive: chapter 11 measured about 0.02 s through Redis
DEADLINE = 60.0  # no step's reading lasts longer, whatever the code under test does
DRAFTS = [f"article-{number}" for number in range(42, 61)]  # seeded drafts; article-41 is the one refused


@contextlib.contextmanager
def lab_fixture():
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        with redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2) as connection:
            connection.ping()
    except redis.RedisError as error:
        raise RuntimeError(
            f"lab 08's checks need Redis at {url} ({error}): start it (`redis-server --daemonize yes`), or set "
            "REDIS_URL to one that runs"
        ) from None
    yield {
        "server_kind": "gunicorn-uvicorn",
        "server_options": {"workers": WORKERS, "env": {"REDIS_URL": url, "REALTIME_BUS": "redis"}},
        "drafts": iter(DRAFTS),  # each publish of the checks takes the next one
    }


def next_draft(context) -> str:
    return next(context.extra["drafts"])


def in_own_loop(step):
    """A step written as a coroutine, run on a loop of its own (a notebook's cell already runs one)."""

    def run(context):
        return run_in_own_loop(step, context, deadline=DEADLINE + 10)

    run.__name__ = step.__name__
    return run


class Feed:
    """The checks' own client of the feed: streams opened on new connections, each read by a task, all closed on
    exit however the step ends."""

    def __init__(self, context) -> None:
        self.context = context
        self._clients: dict[int, httpx.AsyncClient] = {}  # id(stream) -> its connection's client
        self._tasks: list[asyncio.Task] = []

    async def __aenter__(self) -> Feed:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for client in self._clients.values():
            await client.aclose()

    async def open(self, headers: dict[str, str] | None = None) -> Stream:
        """A new stream on a connection of its own (hang it up with `hang_up`), listening once this returns."""
        client = httpx.AsyncClient(base_url=self.context.server.url, timeout=httpx.Timeout(5.0, read=None))
        stream = Stream()
        self._clients[id(stream)] = client
        self._tasks.append(asyncio.create_task(stream.read(client, self.context.url("feed/"), headers)))
        try:
            first = await stream.next_block(within=WITHIN)
        except TimeoutError:
            raise StepFailed(
                f"the feed sent nothing within {WITHIN} s of the request (status {stream.status}): start the stream "
                "with a `retry: 1000` line, sent once it listens"
            ) from None
        if stream.status != 200 or not stream.content_type.startswith("text/event-stream"):
            raise StepFailed(
                f"the feed answered {stream.status} with Content-Type {stream.content_type!r}: an EventSource accepts "
                "only a 200 in text/event-stream"
            )
        if first.get("retry") != "1000":
            raise StepFailed(
                f"the feed's first block was {first}, not `retry: 1000` (a browser waits that many milliseconds "
                "before it reconnects: 0 would make every client of a restarting server hammer it at once)"
            )
        return stream

    async def hang_up(self, stream: Stream) -> None:
        await self._clients[id(stream)].aclose()

    async def publish(self, slug: str, headers: dict[str, str] | None = None) -> httpx.Response:
        """POST the lab's publish of `slug`, as the editor unless `headers` say otherwise."""
        headers = headers or await asyncio.to_thread(self.context.server.login_headers, "editor")
        async with httpx.AsyncClient(base_url=self.context.server.url, timeout=10) as client:
            return await client.post(self.context.url(f"articles/{slug}/publish/"), headers=headers)

    async def warm_up(self) -> None:
        """An event on another topic, through the project's own view: the broker numbers it, nobody here gets it."""
        headers = await asyncio.to_thread(self.context.server.login_headers, "editor")
        async with httpx.AsyncClient(base_url=self.context.server.url, timeout=10) as client:
            answer = await client.post("/realtime/lab08-warm-up/publish/", json={"message": "-"}, headers=headers)
        answer.raise_for_status()


async def events(stream: Stream, count: int, *, within: float = WITHIN) -> list[dict]:
    """The next `count` events of `stream` (fields, data decoded), or fewer if the rest do not come in time."""
    received = []
    for _ in range(count):
        arrived = await stream.next_event(within=within)
        if arrived is None:
            break
        block = dict(arrived[1])
        try:
            block["data"] = json.loads(block["data"])
        except json.JSONDecodeError:
            raise StepFailed(f"an event's data is not JSON: {block['data'][:200]!r}") from None
        received.append(block)
    return received


def shown(received: list[dict]) -> str:
    return ", ".join(f"id {event.get('id', '(none)')}: {event['data'].get('slug')}" for event in received) or "none"


async def listeners(context) -> dict[int, int]:
    return await listeners_per_worker(context.server, TOPIC, workers=WORKERS)


async def last_event_id(context) -> int:
    """The last event id the project's broker has given out, as the workers tell it: the highest they report (a
    worker hears the events through Redis once one of its streams has subscribed; the one holding the stream has)."""
    answers: dict[int, int] = {}  # worker's process id -> the last id it has seen
    for poll in range(60):  # new connections, until both workers have answered: one may have heard nothing yet
        if poll >= 6 and len(answers) >= WORKERS:
            break
        async with httpx.AsyncClient(base_url=context.server.url, timeout=5) as client:
            stats = (await client.get("/realtime/stats/")).json()
        answers[stats["worker"]] = stats["last_id"]
    return max(answers.values())


def expect(response: httpx.Response, status: int, what: str) -> None:
    if response.status_code != status:
        raise StepFailed(f"{what}: expected {status}, got {response.status_code} {response.text[:200]}")


def article(context, slug: str) -> dict:
    return context.server.client.get(f"/articles/async/{slug}/").json()  # the project's own view


def refused_publishes(context):
    server, url = context.server, context.url
    expect(server.client.post(url("articles/article-41/publish/"), headers=server.csrf_headers()), 401, "anonymous")
    reader = server.login_headers("reader")
    expect(server.client.post(url("articles/article-41/publish/"), headers=reader), 403, "'reader', who is not staff")
    editor = server.login_headers("editor")
    expect(server.client.post(url("articles/no-such-article/publish/"), headers=editor), 404, "an unknown slug")
    expect(server.client.post(url("articles/article-01/publish/"), headers=editor), 409, "a published article")
    if article(context, "article-41")["status"] != "draft":
        raise StepFailed("a refused publish published article-41")


async def open_listening(feed: Feed, context) -> Stream:
    """A stream of the feed that the project's broker counts as a listener (on whichever worker holds it)."""
    stream = await feed.open()
    if sum((await listeners(context)).values()) == 0:
        raise StepFailed(
            "your feed's stream is open, but /realtime/stats/ counts no listener to 'articles' on any worker: "
            "listen through the project's broker (realtime.broker.broker), the one that carries events between "
            "worker processes, with `async with broker.subscribe(...)` inside the stream's generator"
        )
    return stream


@in_own_loop
async def announced(context):
    async with Feed(context) as feed:
        stream = await open_listening(feed, context)
        await feed.warm_up()  # the broker's ids count across topics: this feed's first event is not id 1
        anonymous = await asyncio.to_thread(context.server.csrf_headers)
        reader = await asyncio.to_thread(context.server.login_headers, "reader")
        for refused, headers, status in [
            ("article-41", anonymous, 401),
            ("article-41", reader, 403),
            ("no-such-article", None, 404),
            ("article-02", None, 409),
        ]:
            expect(await feed.publish(refused, headers=headers), status, f"a refused publish of {refused}")
        slug = next_draft(context)
        expect(await feed.publish(slug), 200, f"publishing the draft {slug}")
        received = await events(stream, 1)
        if not received:
            raise StepFailed(
                f"the feed's stream got no event within {WITHIN} s of a publish that answered 200: with two worker "
                "processes, the publish may be handled by the other one; announce through the project's broker"
            )
        event = received[0]
        truth = article(context, slug)
        if event["data"].get("slug") != slug:
            raise StepFailed(
                f"the first event after four refused publishes (401, 403, 404, 409) and a publish of {slug} was "
                f"{event['data']}: announce an article only once its publish succeeded"
            )
        if truth["status"] != "published":
            raise StepFailed(f"{slug} was announced, but the project says its status is {truth['status']!r}")
        if event["data"] != {"slug": slug, "title": truth["title"]}:
            raise StepFailed(f"the event's data is {event['data']}, expected {{'slug': ..., 'title': ...}} of {slug}")
        if event.get("event") != "article":
            raise StepFailed(f"the event's type (its `event:` line) is {event.get('event')!r}, expected 'article'")
        given_out = await last_event_id(context)
        if event.get("id") != str(given_out):
            raise StepFailed(
                f"the event's `id:` line is {event.get('id', '(missing)')!r}, but the broker numbered it {given_out}: "
                "send each event with its id, the broker's (Event.id), so that a client can resume after it"
            )


@in_own_loop
async def every_worker(context):
    slugs = [next_draft(context) for _ in range(3)]
    async with Feed(context) as feed:
        await open_listening(feed, context)
        opened = streams_on_every_worker(context.server, TOPIC, workers=WORKERS, path=context.url("feed/"))
        try:
            async with opened as streams:
                answers = await asyncio.gather(*(feed.publish(slug) for slug in slugs))  # at once, to any worker
                received = [await events(stream, 3) for stream in streams]
        except* StepFailed as failed:  # what the checks found while the streams were open
            raise failed.exceptions[0] from None
        except* (RuntimeError, TimeoutError) as error:  # the broker counts this feed's streams (open_listening)
            raise StepFailed(
                f"the checks could not hold a stream of your feed on each worker process ({error.exceptions[0]}): the "
                "operating system gave the connections to one worker. Nothing in your code causes that: run the "
                "checks again"
            ) from None
    for slug, answer in zip(slugs, answers, strict=True):
        expect(answer, 200, f"publishing {slug}")
    short = [got for got in received if {event["data"].get("slug") for event in got} != set(slugs)]
    if short:
        raise StepFailed(
            f"three drafts published at once, through whichever worker took each request: {len(short)} of "
            f"{len(streams)} streams, spread over both worker processes, did not get all three (one got "
            f"{shown(short[0])}): every event must reach the clients of every worker process, so announce and "
            "listen through the project's broker, never through queues or a Broker() of your own"
        )
    for got in received:
        ids = [int(event["id"]) for event in got if event.get("id", "").isdigit()]
        if len(ids) == len(got) and (ids != sorted(ids) or len(set(ids)) != len(ids)):
            raise StepFailed(f"a stream got the events out of order, or twice: {shown(got)}")


@in_own_loop
async def resumes(context):
    slugs = [next_draft(context) for _ in range(3)]
    async with Feed(context) as feed:
        first = await feed.open()
        for slug in slugs:
            expect(await feed.publish(slug), 200, f"publishing {slug}")
        seen = await events(first, 3)
        if [event["data"].get("slug") for event in seen] != slugs or not all("id" in event for event in seen):
            raise StepFailed(f"one stream, three publishes in a row: it got {shown(seen)}, expected {slugs} with ids")
        await feed.hang_up(first)
        back = await feed.open(headers={"Last-Event-ID": seen[0]["id"]})
        missed = await events(back, 2)
        if [(event["id"], event["data"]) for event in missed] != [(event["id"], event["data"]) for event in seen[1:]]:
            raise StepFailed(
                f"a client that saw id {seen[0]['id']} came back (Last-Event-ID: {seen[0]['id']}): it should get the "
                f"two events it missed first ({shown(seen[1:])}), and it got {shown(missed)}: pass the header's id to "
                "broker.subscribe(after=...) and send subscription.missed before anything new"
            )
        later = next_draft(context)
        expect(await feed.publish(later), 200, f"publishing {later}")
        live = await events(back, 1)
        if [event["data"].get("slug") for event in live] != [later]:
            raise StepFailed(f"after the missed events, the resumed stream should get {later}, and got {shown(live)}")
    for bad in ("abc", "-1", "1e3", "²"):  # "²" is a digit to str.isdigit(), and not to int()
        headers = {"Last-Event-ID": bad.encode("latin-1")}  # as a browser's bytes; Django decodes them as latin-1
        async with (
            httpx.AsyncClient(base_url=context.server.url, timeout=5) as client,
            client.stream("GET", context.url("feed/"), headers=headers) as response,
        ):
            body = (await response.aread())[:300] if response.status_code != 200 else b""
        if response.status_code != 400 or b"Last-Event-ID" not in body:
            raise StepFailed(
                f"Last-Event-ID: {bad} should be a 400 whose message names Last-Event-ID, before the stream starts; "
                f"got {response.status_code} {body.decode(errors='replace')}"
            )


@in_own_loop
async def heartbeats(context):
    async with Feed(context) as feed:
        stream = await feed.open()
        lines_before = stream.lines
        window = 5 * HEARTBEAT  # about 5 heartbeats are due
        comments = 0
        ends = time.perf_counter() + window
        with contextlib.suppress(TimeoutError):
            while (left := ends - time.perf_counter()) > 0:
                block = await stream.next_block(within=left)
                comments += "" in block and "data" not in block
        lines = stream.lines - lines_before
    if not 3 <= comments <= 8:
        raise StepFailed(
            f"an idle stream sent {comments} comment lines in {window} s; with REALTIME_HEARTBEAT_SECONDS = "
            f"{HEARTBEAT}, a heartbeat after each {HEARTBEAT} s without an event makes about 5 (3 to 8 pass): wait "
            "for the next event with a timeout of settings.REALTIME_HEARTBEAT_SECONDS and send ': heartbeat' when it "
            "expires"
        )
    if lines > 4 * comments:
        raise StepFailed(
            f"an idle stream sent {lines} lines in {window} s for {comments} heartbeats: a heartbeat is a comment and "
            "a blank line, and nothing else is sent while nothing happens (each line costs every idle client)"
        )


async def total_listeners_settle(context, wanted: int, within: float) -> dict[int, int]:
    ends = time.monotonic() + within
    while True:
        counted = await listeners(context)
        if sum(counted.values()) == wanted or time.monotonic() > ends:
            return counted
        await asyncio.sleep(0.1)


@in_own_loop
async def unsubscribed(context):
    before = await total_listeners_settle(context, 0, within=5)
    if sum(before.values()):
        raise StepFailed(
            f"with every stream of the earlier steps hung up, the workers still count {before} listeners to "
            "'articles' (worker process id: listeners): streams whose client hung up never stopped. Let the "
            "CancelledError through (no except that swallows it), and subscribe with `async with` in the generator"
        )
    async with Feed(context) as feed:
        stream = await feed.open()
        held = await total_listeners_settle(context, 1, within=5)
        if sum(held.values()) != 1:
            raise StepFailed(f"one stream open, and the workers count {held} listeners to 'articles'")
        hung_up = time.perf_counter()
        await feed.hang_up(stream)
        after = await total_listeners_settle(context, 0, within=WITHIN)
    if sum(after.values()):
        raise StepFailed(
            f"{time.perf_counter() - hung_up:.1f} s after its client hung up, the stream still listens (worker "
            f"process id: listeners {after}): the stream did not stop when its client hung up. Let the "
            "CancelledError through (no except that swallows it), and subscribe with `async with` in the generator"
        )


STEPS = [
    Step(
        "refused publishes: 401, 403, 404, 409",
        refused_publishes,
        "the starter already does this: keep the publish view's checks as they are",
    ),
    Step(
        "a publish is announced on the feed, with its id",
        announced,
        'TODO 1: `async with broker.subscribe("articles", ...) as subscription` inside the generator, `retry: 1000` '
        'first; announce with `await broker.apublish("articles", {...})` once the publish succeeded. TODO 2: '
        "`id: {event.id}` on each event, then `event: article` and the data as JSON",
    ),
    Step(
        "every worker's streams get every event",
        every_worker,
        "TODO 1: queues of your own, or a Broker() of your own, live in one worker process; the project's broker "
        "reaches every worker through Redis",
    ),
    Step(
        "a client that comes back resumes after Last-Event-ID",
        resumes,
        'TODO 2: in the view, request.headers.get("Last-Event-ID") (None on a first connection; a 400 naming '
        "Last-Event-ID unless it is a whole number), passed as `after=`; send subscription.missed first",
    ),
    Step(
        "an idle stream sends heartbeats",
        heartbeats,
        "TODO 3: asyncio.wait_for(subscription.next(), timeout=settings.REALTIME_HEARTBEAT_SECONDS); on TimeoutError "
        'yield ": heartbeat\\n\\n" and wait again',
    ),
    Step(
        "a client that hangs up is unsubscribed at once",
        unsubscribed,
        "TODO 4: the `async with broker.subscribe(...)` block inside the generator ends when Django cancels the "
        "stream; catch TimeoutError only, never CancelledError",
    ),
]
