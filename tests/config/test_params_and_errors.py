import sqlite3

import pytest
from psycopg_pool import PoolTimeout, TooManyRequests

from config.errors import ApiError, database_busy
from config.params import float_list_param, float_param, int_list_param, int_param, json_body


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, 0.2), ("", 0.2), ("0", 0.0), ("1.5", 1.5), ("10", 10.0)],
)
def test_float_param_accepts_values_in_range(rf, raw, expected):
    request = rf.get("/", {} if raw is None else {"seconds": raw})
    assert float_param(request, "seconds", default=0.2, minimum=0, maximum=10) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("abc", "seconds must be a number, not 'abc'"),
        ("-1", "seconds must be between 0 and 10, not -1"),
        ("10.01", "seconds must be between 0 and 10, not 10.01"),
        ("nan", "seconds must be a finite number, not 'nan'"),
        ("inf", "seconds must be a finite number, not 'inf'"),
        ("1e308", "seconds must be between 0 and 10, not 1e308"),
        ("9" * 40, "seconds is too long to be a number"),
    ],
)
def test_float_param_rejects_bad_values_with_a_message(rf, raw, message):
    with pytest.raises(ApiError) as caught:
        float_param(rf.get("/", {"seconds": raw}), "seconds", default=0.2, minimum=0, maximum=10)
    assert (caught.value.status, caught.value.message) == (400, message)


@pytest.mark.parametrize("raw", ["1.5", "x", "-3", "99"])
def test_int_param_rejects_non_integers_and_out_of_range(rf, raw):
    with pytest.raises(ApiError) as caught:
        int_param(rf.get("/", {"n": raw}), "n", default=1, minimum=1, maximum=50)
    assert caught.value.status == 400


def test_list_params_parse_and_bound_every_item(rf):
    request = rf.get("/", {"delays": "0.1,0.2,3", "statuses": "200,503"})
    assert float_list_param(request, "delays", default="1", minimum=0, maximum=10, max_items=5) == [0.1, 0.2, 3.0]
    assert int_list_param(request, "statuses", default="200", minimum=200, maximum=599, max_items=5) == [200, 503]
    for bad in ["0.1,,0.2", "0.1,20", ",".join(["1"] * 6), "0.1,nan"]:
        with pytest.raises(ApiError):
            float_list_param(rf.get("/", {"delays": bad}), "delays", default="1", minimum=0, maximum=10, max_items=5)


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]", b'"text"', b"\xff\xfe"])
def test_json_body_requires_an_object(rf, body):
    with pytest.raises(ApiError) as caught:
        json_body(rf.post("/", body, content_type="application/json"))
    assert caught.value.message == "the body must be a JSON object"


def test_json_body_returns_the_object(rf):
    assert json_body(rf.post("/", {"a": 1}, content_type="application/json")) == {"a": 1}


def _django_error(cause):
    """An OperationalError as Django raises it: the driver's exception is its cause."""
    from django.db import OperationalError

    try:
        raise OperationalError(str(cause)) from cause
    except OperationalError as error:
        return error


class _PostgresError(Exception):
    def __init__(self, sqlstate):
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate  # psycopg's errors carry their SQLSTATE code like this


@pytest.mark.parametrize(
    ("cause", "busy"),
    [
        (sqlite3.OperationalError("database is locked"), True),
        (sqlite3.OperationalError("database table is locked: articles_article"), True),
        (sqlite3.OperationalError("no such table: articles_article"), False),
        (_PostgresError("55P03"), True),  # lock_not_available
        (_PostgresError("40001"), True),  # serialization_failure
        (_PostgresError("40P01"), True),  # deadlock_detected
        (_PostgresError("42P01"), False),  # undefined_table: a defect
        (ValueError("database is locked"), False),  # the words alone are not enough
        (PoolTimeout("couldn't get a connection after 1.00 sec"), True),  # no free connection in the pool in time
        (TooManyRequests("the pool has already 4 requests waiting"), True),  # the pool's max_waiting
    ],
)
def test_database_busy_tells_a_busy_database_from_a_defect(cause, busy):
    assert database_busy(_django_error(cause)) is busy
