"""A headless Chromium for chapters and tests: Debian's `chromium` (apt-get install chromium), driven by Playwright.

    shot = in_browser(lambda browser: visit(browser, server.url + "/realtime/live/"))

`in_browser` runs the whole scenario on a thread of its own and closes the browser whatever happens: Playwright's
sync API refuses to run on a thread whose event loop is running, which a notebook's main thread is.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

import psutil

if TYPE_CHECKING:
    from playwright.sync_api import Browser

T = TypeVar("T")

INSTALL_HINT = "install Debian's chromium (as root: apt-get update && apt-get install -y chromium)"


def chromium_path() -> str | None:
    """Where the browser is, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def in_browser(
    scenario: Callable[[Browser], T],
    *,
    map_hosts: Sequence[str] = (),
    timeout: float = 60.0,
    step_timeout: float = 10.0,
) -> T:
    """scenario(browser) in a new headless Chromium; its result, or the exception it raised.

    map_hosts: names the browser resolves to 127.0.0.1 (a second origin for a test, e.g. "evil.example").
    step_timeout: Playwright's limit for any one step (a click, a wait for a selector), so nothing waits forever.
    """
    executable = chromium_path()
    if executable is None:
        raise FileNotFoundError(f"no chromium on PATH: {INSTALL_HINT}")
    outcome: dict[str, object] = {}

    def run() -> None:
        from playwright.sync_api import sync_playwright

        args = ["--no-sandbox", "--disable-crash-reporter", "--disable-breakpad"]  # no sandbox: CI runs as root
        if map_hosts:
            args.append("--host-resolver-rules=" + ",".join(f"MAP {host} 127.0.0.1" for host in map_hosts))
        try:
            with sync_playwright() as playwright:
                launch_ms = 3 * step_timeout * 1000  # starting Chromium on a busy 2-core machine takes seconds
                browser = playwright.chromium.launch(executable_path=executable, args=args, timeout=launch_ms)
                try:
                    outcome["value"] = scenario(_with_timeouts(browser, step_timeout))
                finally:
                    browser.close()
        except BaseException as error:  # handed to the caller's thread below
            outcome["error"] = error

    before = {child.pid for child in psutil.Process().children(recursive=True)}
    thread = threading.Thread(target=run, name="chromium", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():  # a step with no timeout of its own (an evaluate() whose promise never settles)
        started = [child for child in psutil.Process().children(recursive=True) if child.pid not in before]
        for child in started:  # Playwright's driver and the browser: the stuck step fails, and the thread ends
            with contextlib.suppress(psutil.Error):
                child.kill()
        thread.join(step_timeout)
        raise TimeoutError(f"the browser scenario ran longer than {timeout} s; its browser was killed")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]  # an exception, stored by run()
    return outcome["value"]  # type: ignore[return-value]  # scenario's result


def _with_timeouts(browser: Browser, step_timeout: float) -> Browser:
    """Every page and context the scenario opens gets `step_timeout` for each step (Playwright's default is 30 s)."""
    for name in ("new_page", "new_context"):
        make = getattr(browser, name)

        def made(*args: object, _make: Callable = make, **kwargs: object) -> object:
            opened = _make(*args, **kwargs)
            opened.set_default_timeout(step_timeout * 1000)
            return opened

        setattr(browser, name, made)
    return browser
