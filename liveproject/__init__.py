"""The course's helper for notebooks and tests: run the live project, talk to it, measure, plot.

from liveproject import LiveServer, burst, use_django
"""

from liveproject.databases import SEED_PASSWORD
from liveproject.kernel import use_django
from liveproject.load import Burst, RequestResult, burst, calibrate, throughput
from liveproject.server import KINDS, LiveServer, ServerFailedToStart, start_together, stop_all_servers
from liveproject.tasks import TaskWorker

__all__ = [
    "KINDS",
    "SEED_PASSWORD",
    "Burst",
    "LiveServer",
    "RequestResult",
    "ServerFailedToStart",
    "TaskWorker",
    "burst",
    "calibrate",
    "start_together",
    "stop_all_servers",
    "throughput",
    "use_django",
]
