"""Near-misses of lab 08 that its checks must fail (labs/near_misses.py explains them)."""

from labs.near_misses import NearMiss

# Each near-miss quotes the lines of the solution it replaces: the repetition is the table, on purpose.

NEAR_MISSES = [
    NearMiss(
        "a Broker() of the feed's own, instead of the project's",
        (("from realtime.broker import broker\n",
          "from realtime.broker import Broker\n"),
         ('TOPIC = "articles"\n',
          'TOPIC = "articles"\nbroker = Broker()  # the feed\'s own: no other view can flood it\n')),
        lesson="the project's broker",
        differs_by_django=True,
    ),
    NearMiss(
        "events sent without their id",
        (('return f"id: {event.id}\\nevent: article\\ndata: {json.dumps(event.data)}\\n\\n"',
          'return f"event: article\\ndata: {json.dumps(event.data)}\\n\\n"  # the id is optional in SSE'),),
        lesson="send each event with its id",
        differs_by_django=True,
    ),
    NearMiss(
        "Last-Event-ID read, and not passed to the broker",
        (("async with broker.subscribe(TOPIC, after=after) as subscription:",
          "async with broker.subscribe(TOPIC) as subscription:"),),
        lesson="broker.subscribe(after=...)",
        differs_by_django=True,
    ),
    NearMiss(
        "Last-Event-ID read inside the stream, after the answer has started",
        (("    after = last_event_id(request)  # read before the stream starts: a bad header is a 400, not a broken "
          "stream\n", ""),
         ("    async def events():\n",
          "    async def events():\n        after = last_event_id(request)\n")),
        lesson="before the stream starts",
        differs_by_django=True,
    ),
    NearMiss(
        "no heartbeat: the stream waits for the next event as long as it takes",
        (("event = await asyncio.wait_for(subscription.next(), timeout=heartbeat)",
          "event = await subscription.next()  # no need for a timeout: an event comes when there is one"),),
        lesson="heartbeat",
        differs_by_django=True,
    ),
    NearMiss(
        "the cancellation swallowed along with the timeout",
        (("                except TimeoutError:\n",
          "                except (TimeoutError, asyncio.CancelledError):  # the wait ended: go on\n"),),
        lesson="hung up",
        differs_by_django=True,
    ),
]  # fmt: skip
