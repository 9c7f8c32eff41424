"""JSON errors of the project's views: what bad input and a busy database are answered with.

A view raises `ApiError` for bad input; `config.middleware.JsonErrorMiddleware` turns it into a JSON
response with the status and message, so bad input is always a clear 4xx and never a 500. `database_busy` tells
"busy right now, try again" (answered 503 with Retry-After) from a defect (a 500).
"""

import sqlite3

from django.http import JsonResponse
from psycopg_pool import PoolTimeout, TooManyRequests


class ApiError(Exception):
    """A client error: answered as `{"error": message}` with `status` (a 4xx)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def error_response(status: int, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


# PostgreSQL's codes for "another transaction is in the way": lock_not_available (a lock timeout),
# serialization_failure and deadlock_detected. The transaction was rolled back; trying again can succeed.
BUSY_SQLSTATES = {"55P03", "40001", "40P01"}


def database_busy(error: Exception) -> bool:
    """Whether a database error (Django's OperationalError) means "busy right now, try again", not a defect.

    SQLite: "database is locked" (a writer held the lock past the timeout, or a DEFERRED transaction's stale read
    could not become a write). PostgreSQL: a lock timeout, a serialization failure or a deadlock (BUSY_SQLSTATES),
    or no connection came free in the pool within its `timeout` (or too many requests were waiting for one: its
    `max_waiting`; chapter 09e). Anything else, such as "no such
    table", is a defect and stays a 500.
    """
    cause = error.__cause__  # Django wraps the driver's exception and keeps it as the cause
    if isinstance(cause, PoolTimeout | TooManyRequests):
        return True
    if isinstance(cause, sqlite3.OperationalError):
        return str(cause).startswith(("database is locked", "database table is locked"))
    return getattr(cause, "sqlstate", None) in BUSY_SQLSTATES
