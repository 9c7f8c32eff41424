"""The project's endpoints, and which of their views are written with `async def`.

    from liveproject.endpoints import defined_with_async_def, project_endpoints, view_name
    sync_routes = [route for route, view in project_endpoints() if not defined_with_async_def(view)]

Chapter 00's tour lists the endpoints with project_endpoints() and names the code behind each with view_name();
exercise 00.3 (liveproject.exercises.ch00) and
lab 04's checks take their ground truth from both functions.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import Any

    from django.urls import URLPattern, URLResolver


def project_endpoints() -> list[tuple[str, Callable[..., Any]]]:
    """(route, view callable) for every URL of the project outside the admin and the labs (whose views are
    the students' code, served under /labs/ while they work on them)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns: Iterable[URLPattern | URLResolver], prefix: str) -> Iterator[tuple[str, Callable[..., Any]]]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if not route.startswith(("admin/", "labs/")):
                    yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield "/" + route, pattern.callback

    return list(walk(get_resolver().url_patterns, ""))


def defined_with_async_def(view: Callable[..., object]) -> bool:
    """Whether `view` (a view callable, as project_endpoints() gives it) is written with `async def`.

    Independent of Django's markers: look at the function the decorators wrap, or the CBV's handlers (all of
    them but options(), which Django leaves out of its own check)."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        handlers = [
            getattr(view_class, m) for m in view_class.http_method_names if m != "options" and hasattr(view_class, m)
        ]
        return all(inspect.iscoroutinefunction(inspect.unwrap(h)) for h in handlers)
    return inspect.iscoroutinefunction(inspect.unwrap(view))


def view_name(view: Callable[..., object]) -> str:
    """Where the code behind `view` is written, as module.name: what a student opens to read it.

    A class-based view names its class; a DRF ViewSet route its class and action (api.drf_views.ArticleViewSet.list);
    a django-ninja route the function its decorator registered (api.ninja_api.article_list), found in the wrapper
    ninja routes to; any other wrapper (a functools.partial) the function it wraps."""
    view_class = getattr(view, "view_class", None) or getattr(view, "cls", None)
    if view_class is not None:
        actions = getattr(view, "actions", None)  # a ViewSet route: {"get": "list"}
        action = "." + "/".join(dict.fromkeys(actions.values())) if actions else ""  # get and head: one action
        return f"{view_class.__module__}.{view_class.__qualname__}{action}"
    path_view = inspect.getclosurevars(inspect.unwrap(view)).nonlocals.get("self") if inspect.isfunction(view) else None
    operations = getattr(path_view, "operations", None)  # django-ninja: the PathView that routes to its operations
    if operations:
        return ", ".join(f"{op.view_func.__module__}.{op.view_func.__qualname__}" for op in operations)
    target = getattr(view, "func", view)  # functools.partial
    return f"{target.__module__}.{target.__qualname__}"
