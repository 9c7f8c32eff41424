"""liveproject.exercises.ch01: each check passes the right answer and rejects wrong ones with a hint."""

import pytest

from liveproject.exercises.ch01 import check_01_cpu_bound, check_01_gthread_prediction, check_01_threads_per_request
from liveproject.exercises.common import NotYet


def test_01_1_accepts_ceil_of_n_over_threads_times_the_wait():
    check_01_gthread_prediction(0.6)
    for wrong in [0.2 * 12 / 4 + 0.2, 2.4, 0.2, "0.6", None]:
        with pytest.raises(NotYet, match="count the rounds"):
            check_01_gthread_prediction(wrong)


def test_01_2_compares_the_answer_with_the_threads_it_measures_itself(uvicorn_server):
    check_01_threads_per_request(8, uvicorn_server)
    for wrong in [1, 7, 20, 8.0, True, None]:  # too few, too many, or not a count
        with pytest.raises(NotYet, match="one thread per request"):
            check_01_threads_per_request(wrong, uvicorn_server)


def test_01_3_accepts_only_processes():
    check_01_cpu_bound("c")
    for wrong in ["a", "b", "C", None]:
        with pytest.raises(NotYet, match="separate processes"):
            check_01_cpu_bound(wrong)
