"""Settings for Django inside a notebook kernel: the project's settings, as a client of a LiveServer's
database. The kernel keeps one plain connection; a pool belongs in servers, and its background threads
would outlive the server's database (which is dropped when the server stops)."""

from config.settings import *  # noqa: F403

DATABASES["default"].get("OPTIONS", {}).pop("pool", None)  # noqa: F405

# The kernel serves no traffic: requests it makes in-process (liveproject.kernel.count_thread_hops) should not
# print the project's per-request INFO lines into a notebook. Warnings and errors still show.
for _logger in ("config", "pages", "articles"):
    # mypy types config.settings' LOGGING literal as dict[str, object]
    LOGGING["loggers"][_logger]["level"] = "WARNING"  # type: ignore[index]  # noqa: F405
