"""liveproject.exercises.ch00: each check passes the right answer and rejects wrong ones with a hint."""

import pytest

from liveproject.exercises.ch00 import check_00_draft_count, check_00_request_logged, check_00_sync_endpoints
from liveproject.exercises.common import NotYet

LINE = "INFO config.access GET /async-status/ 200 101.4ms id=my-id"


class LoggedServer:
    """Stands in for a LiveServer whose log holds `lines`."""

    def __init__(self, *lines):
        self.lines = list(lines)

    def log_lines(self):
        return self.lines


def test_00_1_accepts_the_log_line_of_that_request(capsys):
    check_00_request_logged(LoggedServer("INFO config.access GET /ping/async/ 200 1.0ms id=x", LINE), LINE, "my-id")
    assert capsys.readouterr().out == "Exercise 00.1: correct\n"


@pytest.mark.parametrize(("logged", "line", "request_id"), [
    ([LINE], LINE, "other-id"),
    ([LINE], LINE.replace("/async-status/", "/async-hello/"), "my-id"),
    ([LINE], LINE.replace(" 200 ", " 404 "), "my-id"),
    ([LINE], LINE + "-suffix", "my-id"),
    ([LINE], None, "my-id"),
    ([], LINE, "my-id"),  # typed by hand: the server never logged it
    ([LINE.replace("101.4", "99.0")], LINE, "my-id"),  # a made-up duration
])  # fmt: skip
def test_00_1_rejects_lines_the_server_did_not_log_for_that_request(logged, line, request_id):
    with pytest.raises(NotYet, match="Exercise 00.1: not yet"):
        check_00_request_logged(LoggedServer(*logged), line, request_id)


def test_00_2_accepts_the_draft_count_only():
    check_00_draft_count(20)
    for wrong in [60, 40, "20", None]:
        with pytest.raises(NotYet, match="status='draft'"):
            check_00_draft_count(wrong)


def test_00_3_accepts_exactly_the_sync_routes():
    twins = ["/ping/sync/", "/wait/sync/", "/compute/sync/", "/where/sync/", "/stream/events/sync/"]
    drf = ["/api/drf/articles/", "/api/drf/articles/<slug:slug>/", "/api/drf/articles/<slug:slug>/publish/"]
    schemas = ["/api/ninja/openapi.json", "/api/ninja/", "/api/schema/"]  # ninja's and drf-spectacular's, sync
    right = [*twins, *drf, "/api/drf/upstream/", *schemas]
    check_00_sync_endpoints(right)
    check_00_sync_endpoints(tuple(reversed(right)))
    for wrong in [right[:2], [*right, "/async-hello/"], [], "/ping/sync/"]:
        with pytest.raises(NotYet, match="Expected 12 routes"):
            check_00_sync_endpoints(wrong)
