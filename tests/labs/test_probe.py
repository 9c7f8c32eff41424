"""The probe upstream answers like /upstream/ and counts calls in flight, also when callers hang up."""

import concurrent.futures
import time

import httpx
import pytest

from labs.probe import ProbeUpstream
from tests.conftest import soon


def test_counts_the_most_calls_in_flight_and_answers_with_the_status_asked_for():
    with ProbeUpstream() as upstream:
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _: httpx.get(upstream.url, params={"delay": 0.3}, timeout=5), range(4)))
        assert [answer.status_code for answer in answers] == [200] * 4
        assert upstream.max_in_flight == 4
        assert upstream.in_flight == 0
        assert httpx.get(upstream.url, params={"status": 503}, timeout=5).status_code == 503


def test_a_caller_that_hangs_up_stops_counting_and_reset_starts_afresh():
    with ProbeUpstream() as upstream:
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(upstream.url, params={"delay": 5}, timeout=0.2)
        started = time.monotonic()
        upstream.reset()
        assert upstream.in_flight == 0
        assert upstream.max_in_flight == 0
        assert time.monotonic() - started < 3  # the hung-up call was cancelled, not waited out


def test_a_call_with_a_hang_up_delay_gets_no_answer_and_the_others_are_answered():
    with ProbeUpstream() as upstream:
        upstream.hang_up_delays.add(0.13)
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(upstream.url, params={"delay": "0.130"}, timeout=5)
        assert httpx.get(upstream.url, params={"delay": 0.12}, timeout=5).status_code == 200
        assert upstream.in_flight == 0


def test_a_dripped_answer_comes_one_byte_at_a_time_and_beats_a_per_read_timeout():
    with ProbeUpstream() as upstream:
        upstream.drip_delays.add(1.0)
        started = time.monotonic()
        answer = httpx.get(upstream.url, params={"delay": 1.0, "status": 201}, timeout=0.5)  # 0.5 s per read
        assert time.monotonic() - started >= 0.98
        assert answer.status_code == 201
        assert answer.json() == {"delay": 1.0, "status": 201}
        assert upstream.max_in_flight == 1
        # the dripping handler counts the call out when it returns, just after the last byte it wrote: the
        # client can have read that byte first
        assert soon(lambda: upstream.in_flight == 0)
