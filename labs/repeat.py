"""Run a lab's checks many times on one code, to see that they give the same verdict every time.

    python -m labs.repeat 06 --times 20            the reference solution of lab 06, 20 runs
    python -m labs.repeat --times 10 --busy        every lab's solution, 10 runs each, with one core kept busy
    python -m labs.repeat 03 --code starter        the starter must fail the same steps every run

A check that passes the solution once and fails it the next run is a defect: students and instructors must be
able to trust a FAIL. `--busy` keeps one core spinning for the whole run (another student's notebook, a browser),
as on a loaded 2-core laptop. Each run starts its own server, so a run costs what `nox -s lab -- NN` costs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections import Counter

from labs.loading import lab_folders
from labs.runner import run_checks
from liveproject import processes

SPIN_FOREVER = "while True:\n    pass\n"


def repeat(number: str, code: str, times: int) -> dict:
    """Run the checks of lab `number` on `code` `times` times; return what each run gave."""
    failing: Counter[str]
    seconds: list[float]
    passed, failing, seconds = 0, Counter(), []
    for _ in range(times):
        report = run_checks(number, code, show=lambda line: None)
        passed += report.passed
        failing.update(report.failed_steps)
        seconds.append(report.seconds)
    return {"passed": passed, "failing": failing, "seconds": seconds}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m labs.repeat", description=__doc__.split("\n\n")[0])
    parser.add_argument("numbers", nargs="*", help="labs to run (default: all)")
    parser.add_argument("--times", type=int, default=10)
    parser.add_argument("--code", default="solution", choices=("solution", "starter", "student"))
    parser.add_argument("--busy", action="store_true", help="keep one core busy while the checks run")
    args = parser.parse_args(argv)
    numbers = args.numbers or [folder.name[:2] for folder in lab_folders()]
    spinner = None
    if args.busy:
        spinner = subprocess.Popen([sys.executable, "-c", SPIN_FOREVER], preexec_fn=processes.tie_to_caller())  # noqa: PLW1509
    started = time.perf_counter()
    print(f"{args.code} code, {args.times} runs per lab, {'one core busy' if args.busy else 'no extra load'}")
    print("lab | runs passed | steps that failed (runs) | check time: median, slowest")
    all_same = True
    try:
        for number in numbers:
            result = repeat(number, args.code, args.times)
            expected = args.times if args.code == "solution" else 0
            all_same &= result["passed"] == expected
            failing = ", ".join(f"{name} ({count})" for name, count in result["failing"].most_common()) or "-"
            median, slowest = statistics.median(result["seconds"]), max(result["seconds"])
            print(
                f"{number} | {result['passed']}/{args.times} | {failing} | {median:.1f} s, {slowest:.1f} s", flush=True
            )
    finally:
        if spinner is not None:
            spinner.kill()
            spinner.wait()
    print(f"{time.perf_counter() - started:.0f} s in all")
    return 0 if all_same else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
