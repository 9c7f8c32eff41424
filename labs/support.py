"""Helpers that lab code may call. They do nothing surprising unless a lab's checks switch them on."""

import time

from django.conf import settings


def race_window() -> None:
    """Sleep settings.LAB_RACE_WINDOW seconds (0 unless the checks set it).

    It stands for the work real code does between reading a row and writing it (validation, rendering a
    notification). The checks of lab 05 widen it to 0.2 s so that a missing lock shows up on every run,
    not once in a while. Call it from sync code, between your check and your write.
    """
    time.sleep(getattr(settings, "LAB_RACE_WINDOW", 0))
