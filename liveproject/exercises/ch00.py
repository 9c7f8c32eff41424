"""Exercise checks for chapters/00-start-here.ipynb (how they work: liveproject.exercises)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from liveproject.endpoints import defined_with_async_def, project_endpoints
from liveproject.exercises.common import judge

if TYPE_CHECKING:
    from typing import Protocol

    class _LoggingServer(Protocol):
        """What the check reads of a server: its log (a LiveServer's; tests pass a stand-in)."""

        def log_lines(self) -> list[str]: ...


def check_00_request_logged(server: _LoggingServer, line: object, request_id: object) -> None:
    """Exercise 00.1: `line` is the access-log line, from `server`'s own log, of your GET /async-status/ sent
    with the header X-Request-Id: `request_id`."""
    pattern = r"INFO config\.access GET /async-status/ 200 \d+\.\dms id=" + re.escape(str(request_id))
    logged = [entry for entry in server.log_lines() if re.fullmatch(pattern, entry)]
    ok = isinstance(line, str) and line in logged  # the server wrote it: a line typed by hand is not in its log
    judge(
        "Exercise 00.1",
        ok,
        f"The server logged {len(logged)} GET /async-status/ line(s) with id={request_id}. Send GET /async-status/ "
        "with the header X-Request-Id set to your id, then take the line containing 'id=<your id>' from "
        "server.log_lines() (or server.wait_for_log(...)). The id must be plain (letters, digits, '.', '_', '-') "
        "or the server replaces it.",
    )


def check_00_draft_count(count: object) -> None:
    """Exercise 00.2: the number of draft articles, counted with the async ORM."""
    from articles.management.commands.seed_articles import ARTICLE_COUNT, PUBLISHED_COUNT

    judge(
        "Exercise 00.2",
        count == ARTICLE_COUNT - PUBLISHED_COUNT,
        "Filter on status='draft' (Article.Status.DRAFT) and await .acount(); a count of every article or of "
        "the published ones answers a different question.",
    )


def check_00_sync_endpoints(routes: object) -> None:
    """Exercise 00.3: the routes (e.g. '/ping/sync/') of every endpoint whose view is synchronous."""
    truth = sorted(route for route, view in project_endpoints() if not defined_with_async_def(view))
    answer = sorted(routes) if isinstance(routes, list | tuple | set) else routes
    judge(
        "Exercise 00.3",
        answer == truth,
        f"Expected {len(truth)} routes. Walk the URLconf as the tour does and keep the views for which "
        "asgiref.sync.iscoroutinefunction(view) is False; skip the admin.",
    )
