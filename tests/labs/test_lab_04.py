"""Lab 04's checks audit a log the student has not seen, and their failures never print the answer."""

import pytest

from labs.runner import find_lab, load_checks, run_checks

CHECKS = load_checks(find_lab("04"))


def test_the_checks_choose_the_stack_and_a_route_at_random_and_give_the_server_an_upstream_that_refuses():
    stacks, routes = set(), set()
    for _ in range(30):
        with CHECKS.lab_fixture() as extra:
            middleware = extra["server_options"]["extra_middleware"]
            stacks.add(len(middleware))
            assert middleware[0] == CHECKS.WITHOUT_FLAGS  # a middleware with no flags: Django's defaults apply
            assert middleware[-1] == CHECKS.USER_MISTAKE
            assert middleware[1:-1] == CHECKS.ADAPTED_PAIR * ((len(middleware) - 2) // 2)
            assert extra["settings"]["UPSTREAM_URL"].startswith("http://127.0.0.1:")
            assert extra["settings"]["ROOT_URLCONF"] == CHECKS.URLCONF
            assert extra["urlconf"] == {key: extra["settings"][key] for key in ("ROOT_URLCONF", "LAB04_PROBE_ROUTE")}
            routes.add(extra["settings"]["LAB04_PROBE_ROUTE"])
    assert stacks == {4, 6, 8}  # one, two or three pairs (30 draws miss one with probability < 1e-5)
    assert len(routes) == 30  # a random path each time
    assert {mode for _, mode in routes} == {"sync", "async"}


@pytest.mark.live
def test_the_starters_failures_do_not_print_the_answers():
    shown = []
    report = run_checks("04", "starter", show=shown.append)
    assert report.failed_steps == [name for name, *_ in report.results]  # every step fails on the starter
    failures = "\n".join(message for _, ok, message, _ in report.results if not ok)
    for answer in ("SyncOnlyMiddleware", "AsyncRejecting", "config.middleware_examples", "articles.views", "/ping/"):
        assert answer not in failures, "\n".join(shown)


def test_the_audit_answers_409_with_a_reason_on_a_server_that_writes_no_log(monkeypatch):
    # `nox -s serve` logs to the terminal: the audit must say why it cannot run, not crash with a KeyError.
    import json

    from django.test import RequestFactory

    from labs.loading import load_lab_views

    monkeypatch.delenv("LIVESERVER_LOG_FILE", raising=False)
    for code in ("starter", "solution"):
        audit = load_lab_views(find_lab("04"), code).audit
        response = audit(RequestFactory().get("/audit/"))
        assert response.status_code == 409
        assert "LIVESERVER_LOG_FILE is unset" in json.loads(response.content)["error"]
