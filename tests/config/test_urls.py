"""Every named URL of the project is named after its view, so `reverse("async_wait")` finds `async_wait`."""

import re

from django.urls import URLPattern, URLResolver, get_resolver


def named_patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from named_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + str(pattern.pattern), pattern.name, pattern.callback, pattern.default_args


def view_name(callback) -> str:
    """A function view's name; a class-based view's class name in snake case, without its View suffix."""
    view_class = getattr(callback, "view_class", None)
    if view_class is None:
        return callback.__name__
    return re.sub(r"(?<!^)(?=[A-Z])", "_", view_class.__name__.removesuffix("View")).lower()


def right_name(name, callback, default_args) -> bool:
    """Named after the view; a second mount of a view with other arguments adds what differs (`..._without_lock`)."""
    view = view_name(callback)
    return name == view or bool(default_args) and name.startswith(f"{view}_")


def test_url_names_are_view_names():
    project = [
        (route, name, callback, default_args)
        for route, name, callback, default_args in named_patterns(get_resolver().url_patterns)
        # Django's admin and the students' lab code name their own; so do the API layers (DRF's router names a route
        # <basename>-<action>, tests/api checks them)
        if not route.startswith(("admin/", "labs/", "api/"))
    ]
    assert len(project) > 30  # every app's URLconf was walked
    wrong = [f"{route}: {name}" for route, name, callback, args in project if not right_name(name, callback, args)]
    assert wrong == []


def test_view_name_of_a_class_based_view_is_its_class_in_snake_case():
    from articles.views import DraftListWithDjangoMixinView

    assert view_name(DraftListWithDjangoMixinView.as_view()) == "draft_list_with_django_mixin"
