"""Show how two versions of a function differ in their code, so a chapter can print just the line that matters.

    from liveproject.source import differing_code_lines
    print(*differing_code_lines(services.article_publish, services.article_publish_without_lock), sep="\\n")
    # - article = Article.objects.select_for_update().get(slug=slug)
    # + article = Article.objects.get(slug=slug)

Docstrings, comments and blank lines are left out, since they differ between twins without changing what they do,
and so is the `def` line, since the names of two twins always differ.
"""

from __future__ import annotations

import ast
import difflib
import inspect
import io
import textwrap
import tokenize
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


def code_lines(function: Callable[..., object]) -> list[str]:
    """The statements of `function`'s body as source lines, stripped: no docstrings, comments or blank lines."""
    source = textwrap.dedent(inspect.getsource(function))
    tree = ast.parse(source)
    definition = tree.body[0]
    if not isinstance(definition, ast.FunctionDef | ast.AsyncFunctionDef):
        raise TypeError(f"{function!r} is not a function")
    skipped = set(range(1, definition.body[0].lineno))  # decorators and the `def` line(s)
    for node in ast.walk(tree):  # docstrings: a string constant standing alone as the first statement of a body
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                # ast.parse sets end_lineno on every statement it makes
                skipped.update(range(body[0].lineno, body[0].end_lineno + 1))  # type: ignore[operator]
    lines = source.splitlines()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:  # cut the comment, keep the code before it on its line
            row, column = token.start
            lines[row - 1] = lines[row - 1][:column]
    return [line.strip() for number, line in enumerate(lines, start=1) if number not in skipped and line.strip()]


def differing_code_lines(first: Callable[..., object], second: Callable[..., object]) -> list[str]:
    """The code lines that differ between two functions' bodies: `- line` only in `first`, `+ line` only in
    `second`, in the order they appear."""
    diff = difflib.ndiff(code_lines(first), code_lines(second))
    return [line for line in diff if line.startswith(("- ", "+ "))]
