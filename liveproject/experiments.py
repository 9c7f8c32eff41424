"""Small experiments on the notebook's own Django (after use_django), for claims that need a fresh connection or
a count of queries. Chapter 10 tests popular claims with them.

    error = await connect_with_options({"MAX_CONNS": 20})     # None, or what the database driver refused
    rows, queries = await count_queries(read_twenty)          # rows an async function returned, queries it ran
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from typing import TypeVar

    _Result = TypeVar("_Result")


def _connect_on_this_thread(options: dict) -> BaseException | None:
    from django.db import connections
    from django.db.utils import ConnectionHandler

    settings_dict = dict(connections["default"].settings_dict)
    settings_dict["OPTIONS"] = {**settings_dict.get("OPTIONS", {}), **options}
    handler = ConnectionHandler({"default": settings_dict})  # a connection of its own, closed below
    try:
        handler["default"].ensure_connection()
    except Exception as error:  # noqa: BLE001 - what the driver refused is the result
        return error
    finally:
        handler.close_all()
    return None


async def connect_with_options(options: dict) -> BaseException | None:
    """Open one new connection to the notebook's database with `options` added to DATABASES["default"]["OPTIONS"],
    on a worker thread, and close it. None when the driver accepted them, otherwise the exception it raised."""
    return await asyncio.to_thread(_connect_on_this_thread, options)


async def count_queries(coroutine_function: Callable[[], Awaitable[_Result]]) -> tuple[_Result, int]:
    """Await `coroutine_function()` and count the SQL queries its ORM calls ran: (its result, the number of queries).

    Outside a request, the async ORM runs its queries on asgiref's one shared thread, with that thread's
    connection. Here the coroutine is run with async_to_sync from a thread of its own instead, which makes its
    thread-sensitive ORM calls run on that same thread, where CaptureQueriesContext watches the connection.
    """
    from asgiref.sync import async_to_sync
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def run_and_count() -> tuple[_Result, int]:
        try:
            with CaptureQueriesContext(connection) as captured:
                result = async_to_sync(coroutine_function)()
            return result, len(captured.captured_queries)
        finally:
            connection.close()  # this pool thread's own connection: nothing else would close it

    return await asyncio.to_thread(run_and_count)
