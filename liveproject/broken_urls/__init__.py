"""Deliberately broken variants of the project's URLconf, for checking that tests can fail.

Each module here is a complete URLconf: the project's own patterns with one endpoint replaced by a broken
twin placed first (Django uses the first pattern that matches). A test suite worth having passes against
config.urls and fails against these. Use one with run_pytest(..., settings={"ROOT_URLCONF": "..."}).

mixed_handlers.py is broken another way: it adds a route to a class whose handlers mix sync and async, so the
URLconf cannot be imported at all (chapter 03 starts servers with it and runs `manage.py check` on it).
"""
