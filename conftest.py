"""Loaded for every test and notebook under this folder: the rule that a notebook cell prints only verdicts it
computed (liveproject/nbval_evidence.py explains it)."""

pytest_plugins = ["liveproject.nbval_evidence"]


# Chapter 13 runs each experiment on Django 5.2 and on 6.x side by side, which only the 6.x track's environment
# can do (liveproject/versions.py): on the 5.2 track its cells are skipped, with where to run them.
DJANGO6_ONLY = {"13-django-6.ipynb"}
# A cell that prints Django's own source (a listing of ASGIHandler, of GZipMiddleware) prints what the installed
# version has, which Django 6 changed. Tagged so, it still runs on the 6.x track, and its output is compared on the
# 5.2 tracks only. An outcome that differs is never tagged: it prints both versions' expectations instead
# (liveproject.evidence.expect_by_version).
DJANGO_SOURCE_LISTING = "lists-django-source"


def pytest_collection_modifyitems(config, items):
    import django
    import pytest

    skip = pytest.mark.skip(reason="runs on the Django 6.x track: nox -s tests_django6 (or nox -s course_django6)")
    for item in items:
        if django.VERSION < (6, 0) and item.path.name in DJANGO6_ONLY:
            item.add_marker(skip)
        cell = getattr(item, "cell", None)  # an nbval notebook cell
        if django.VERSION >= (6, 0) and cell is not None and DJANGO_SOURCE_LISTING in cell.metadata.get("tags", []):
            item.options["check"] = False
