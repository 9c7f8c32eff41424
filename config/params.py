"""Query parameters and JSON bodies, read with bounds: anything else raises ApiError(400) with a message."""

import json
import math

from config.errors import ApiError


def _cast(text, cast, *, subject, must_be):
    """`text` as a number, or ApiError(400): `subject` names it in "too long", `must_be` says what it should be."""
    if len(text) > 32:
        raise ApiError(400, f"{subject} is too long to be a number")
    try:
        return cast(text)
    except ValueError:
        raise ApiError(400, f"{must_be}, not {text!r}") from None


def _parse_number(request, name, default, minimum, maximum, cast, kind):
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    value = _cast(raw, cast, subject=name, must_be=f"{name} must be {kind}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ApiError(400, f"{name} must be a finite number, not {raw!r}")
    if not minimum <= value <= maximum:
        raise ApiError(400, f"{name} must be between {minimum} and {maximum}, not {raw}")
    return value


def float_param(request, name: str, *, default: float, minimum: float, maximum: float) -> float:
    """The query parameter `name` as a float within [minimum, maximum]; ApiError(400) otherwise."""
    return _parse_number(request, name, default, minimum, maximum, float, "a number")


def int_param(request, name: str, *, default: int, minimum: int, maximum: int) -> int:
    """The query parameter `name` as an int within [minimum, maximum]; ApiError(400) otherwise."""
    return _parse_number(request, name, default, minimum, maximum, int, "a whole number")


def _parse_list(request, name, default, minimum, maximum, max_items, cast, kind):
    raw = request.GET.get(name) or default
    items = raw.split(",")
    if len(items) > max_items:
        raise ApiError(400, f"{name} has {len(items)} items; at most {max_items} are allowed")
    values = []
    for item in items:
        value = _cast(item, cast, subject=f"an item of {name}", must_be=f"{name} must be comma-separated {kind}s")
        if not math.isfinite(value) or not minimum <= value <= maximum:
            raise ApiError(400, f"each of {name} must be between {minimum} and {maximum}, not {item}")
        values.append(value)
    return values


def float_list_param(request, name: str, *, default: str, minimum: float, maximum: float, max_items: int):
    """A comma-separated list of bounded floats, e.g. `delays=0.1,0.1,2`."""
    return _parse_list(request, name, default, minimum, maximum, max_items, float, "number")


def int_list_param(request, name: str, *, default: str, minimum: int, maximum: int, max_items: int):
    """A comma-separated list of bounded ints, e.g. `statuses=200,503`."""
    return _parse_list(request, name, default, minimum, maximum, max_items, int, "whole number")


def json_body(request) -> dict:
    """The request body as a JSON object; ApiError(400) for anything else."""
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "the body must be a JSON object") from None
    if not isinstance(data, dict):
        raise ApiError(400, "the body must be a JSON object")
    return data
