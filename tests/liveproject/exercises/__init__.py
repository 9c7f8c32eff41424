"""Exercise checks pass the right answer and reject wrong ones with a hint (a check that cannot fail is no check).

One test module per module of liveproject.exercises: test_chNN.py tests liveproject/exercises/chNN.py.
"""
