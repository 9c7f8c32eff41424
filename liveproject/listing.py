"""Print code in a notebook as the installed interpreter has it: the project's own, or Django's.

    from liveproject.listing import show_source
    show_source(AccessLogMiddleware)                                    # the whole class
    show_source(base.BaseHandler.load_middleware, start="middleware_can_sync =", end="mw_instance =")

A line of code can have the shape of a verdict (`async_capable = True`). The nbval plugin
(liveproject/nbval_evidence.py) fails a cell that prints a verdict that liveproject.evidence did not record, so
this prints through evidence.emit: each line is recorded as code read from its file with inspect.getsource,
which is what it is, and the plugin can tell it from a verdict someone typed.
"""

from __future__ import annotations

import inspect
import textwrap
from typing import TYPE_CHECKING

from liveproject.evidence import emit

if TYPE_CHECKING:
    from collections.abc import Callable


def source_of(obj: Callable[..., object], *, start: str | None = None, end: str | None = None) -> str:
    """The source of `obj` (a function, method or class), dedented. With `start`, from the first line containing
    it; with `end`, up to the first line after that containing `end`, which is left out."""
    lines = textwrap.dedent(inspect.getsource(obj)).splitlines()
    first: int | None
    first = 0
    if start is not None:
        first = next((n for n, line in enumerate(lines) if start in line), None)
        if first is None:
            raise ValueError(f"no line of {obj!r} contains {start!r}")
    last: int | None
    last = len(lines)
    if end is not None:
        last = next((n for n, line in enumerate(lines) if n > first and end in line), None)
        if last is None:
            raise ValueError(f"no line of {obj!r} after {start!r} contains {end!r}")
    return textwrap.dedent("\n".join(lines[first:last])).rstrip() + "\n"


def show_source(obj: Callable[..., object], *, start: str | None = None, end: str | None = None) -> None:
    """Print source_of(obj, start=, end=), recorded as code (see the module's docstring)."""
    emit("source", source_of(obj, start=start, end=end), source=f"{obj.__module__}.{obj.__qualname__}")
