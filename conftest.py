"""Loaded for every test and notebook under this folder: the rule that a notebook cell prints only verdicts it
computed (liveproject/nbval_evidence.py explains it)."""

pytest_plugins = ["liveproject.nbval_evidence"]
