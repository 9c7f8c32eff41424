"""A bare HTTP/1.1 server on asyncio (no Django, no framework): the yardstick for the load generator.

`GET /anything?seconds=0.2` answers "ok" after sleeping that long. It does almost no work per request,
so a burst against it measures what the *client* costs; LiveServer("trivial") starts it.
"""

import argparse
import asyncio
import contextlib
import socket
from urllib.parse import parse_qs, urlsplit

MAX_SECONDS = 10.0


def _seconds(target: bytes) -> float:
    query = parse_qs(urlsplit(target.decode("latin-1")).query)
    try:
        return min(max(float(query.get("seconds", ["0"])[0]), 0.0), MAX_SECONDS)
    except ValueError:
        return 0.0


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, _, headers = head.partition(b"\r\n")
            target = request_line.split(b" ")[1] if request_line.count(b" ") >= 2 else b"/"
            seconds = _seconds(target)
            if seconds:
                await asyncio.sleep(seconds)
            close = b"connection: close" in headers.lower()
            writer.write(
                b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n"
                + (b"connection: close\r\n" if close else b"")
                + b"\r\nok"
            )
            await writer.drain()
            if close:
                break
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


async def serve(fd: int) -> None:
    listener = socket.socket(fileno=fd)
    server = await asyncio.start_server(handle, sock=listener, backlog=4096)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fd", type=int, required=True, help="an already listening socket")
    args = parser.parse_args()
    try:
        import uvloop

        runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
    except ImportError:
        runner = asyncio.Runner()
    with runner, contextlib.suppress(KeyboardInterrupt):
        runner.run(serve(args.fd))


if __name__ == "__main__":
    main()
