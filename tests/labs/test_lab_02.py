"""Lab 02's checks find a sync view in disguise: an async handler that only runs a plain def through sync_to_async."""

import ast

from labs.runner import find_lab, load_checks

FOLDER = find_lab("02")
CHECKS = load_checks(FOLDER)
SOLUTION = (FOLDER / "solution" / "views.py").read_text()


def test_the_solution_has_no_handler_in_disguise():
    assert CHECKS.sync_handlers_in_disguise(ast.parse(SOLUTION)) == []


def test_a_handler_that_forwards_to_a_module_function_is_found():
    disguised = (
        SOLUTION.replace(
            "        drafts = Article.objects.filter(status=Article.Status.DRAFT, author=request.user)\n"
            '        return JsonResponse({"username": request.user.username, "drafts": await drafts.acount()})',
            "        return await sync_to_async(drafts_view, thread_sensitive=True)(request)",
        )
        + "\n\ndef drafts_view(request):\n    return None\n"
    )
    assert CHECKS.sync_handlers_in_disguise(ast.parse(disguised)) == [("MyDraftsView.get", "drafts_view")]
