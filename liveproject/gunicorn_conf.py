"""gunicorn settings used by LiveServer: workers die with their master, even if it is SIGKILLed."""

from liveproject.processes import die_with_parent


def post_fork(server, worker):
    die_with_parent()
