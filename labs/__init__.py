"""The course's hands-on labs. Each lab lives in a folder `NN-name/` beside this file:

README.md        goal, time, steps, what the checks verify
INSTRUCTOR.md    timing plan, live-demo script, typical mistakes, reset and solution
lab.ipynb        the guided notebook
views.py         YOUR code (lab 07: detail_tests.py): your copy of starter/, made on first use and not in git;
                 the live project serves it under /labs/NN-name/
starter/         the pristine starter code (`python -m labs reset NN` copies it back)
solution/        the reference solution
checks.py        the checks: `python -m labs check NN` (or `nox -s lab -- NN`)
"""
