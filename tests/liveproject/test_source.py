"""liveproject.source: the code lines that differ between two functions, without docstrings or comments."""

import functools

import pytest

from liveproject.source import code_lines, differing_code_lines


def locked(items, *, key):
    """Sum the items under a lock.

    A docstring of several lines, different from its twin's.
    """
    total = 0  # a comment the twin does not have
    for item in items:
        total += item.locked_value(key)
    return total


@functools.lru_cache(maxsize=1)  # a decorator the twin does not have
def unlocked(items, *, key):
    """The twin: one line of code differs."""
    total = 0

    for item in items:
        total += item.value(key)  # a comment of its own
    return total


def same_code_other_words(items, *, key):
    # Only comments, blank lines and the docstring differ from `locked`.
    total = 0

    for item in items:
        total += item.locked_value(key)  # it reads the locked value
    return total


def test_code_lines_leave_out_the_def_line_docstrings_comments_and_blank_lines():
    assert code_lines(locked) == ["total = 0", "for item in items:", "total += item.locked_value(key)", "return total"]


def test_only_the_line_that_changed_is_reported():
    assert differing_code_lines(locked, unlocked) == [
        "- total += item.locked_value(key)",
        "+ total += item.value(key)",
    ]


def test_functions_that_differ_only_in_words_have_no_differing_code():
    assert differing_code_lines(locked, same_code_other_words) == []


def test_a_docstring_inside_the_body_is_left_out_but_a_string_in_code_is_not():
    def with_strings():
        """Doc."""
        return "select_for_update"

    assert code_lines(with_strings) == ['return "select_for_update"']


def test_the_publish_twins_differ_only_in_the_row_lock():
    from articles import services

    assert differing_code_lines(services.article_publish, services.article_publish_without_lock) == [
        "- article = Article.objects.select_for_update().get(slug=slug)",
        "+ article = Article.objects.get(slug=slug)",
    ]


def test_something_else_than_a_function_is_refused():
    with pytest.raises(TypeError):
        code_lines(pytest.ExceptionInfo)
