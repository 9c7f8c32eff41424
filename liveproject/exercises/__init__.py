"""Checks for the chapters' exercises: call one with your answer; it says "correct" or gives a hint.

Each check works out the right answer on its own (from the project's code, its seed data or the server's
log), never from the solution cell, so a wrong answer fails whichever way it was produced.

One module per chapter; a chapter's notebook imports its checks from its own module:

    from liveproject.exercises.ch04 import CANDIDATE_QUERYSET_METHODS, check_04_existing_methods

- ch00: chapters/00-start-here.ipynb (check_00_*)
- ch01: chapters/01-wsgi-vs-asgi.ipynb (check_01_*)
- ch02: chapters/02-async-function-views.ipynb (check_02_*)
- ch03: chapters/03-async-class-based-views.ipynb (check_03_*, EXERCISE_03_CLASSES)
- ch04: chapters/04-async-orm.ipynb (check_04_*, CANDIDATE_QUERYSET_METHODS)
- ch05: chapters/05-middleware.ipynb (check_05_*)
- ch06: chapters/06-sync-islands.ipynb (check_06_*)
- ch07: chapters/07-cancellation-and-streaming.ipynb (check_07_*)
- ch08: chapters/08-testing-async-code.ipynb (check_08_*, TRAP_OUTCOMES)
- ch09: chapters/09a-asgi-servers.ipynb to 09e-the-database-in-production.ipynb (check_09_*)
- ch10: chapters/10-myths-vs-measurements.ipynb (check_10_*, CLAIMS_10_2, measure_10_2)
- ch11: chapters/11-realtime.ipynb (check_11_*)
- ch12: chapters/12-apis-and-background-work.ipynb (check_12_*)
- common: NotYet, the exception a wrong answer raises, and judge(), which every check ends with.

The project's endpoints and whether each view is written with `async def` (project_endpoints,
defined_with_async_def) are in liveproject.endpoints.
"""
