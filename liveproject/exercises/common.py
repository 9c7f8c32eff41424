"""What every chapter's exercise checks share: the NotYet exception and judge(), which gives the verdict."""

from __future__ import annotations

from liveproject.evidence import emit


class NotYet(AssertionError):
    """Your answer is not right yet; the message says what to look at."""


def judge(exercise: str, ok: bool, hint: str) -> None:
    """Print "<exercise>: correct" (recorded as evidence) when `ok`, or raise NotYet with `hint`."""
    if not ok:
        raise NotYet(f"{exercise}: not yet. {hint}")
    emit("exercise", f"{exercise}: correct", exercise=exercise)
