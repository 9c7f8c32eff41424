"""Mounts every lab's views under /labs/NN-name/, without editing the project.

settings.LAB_CODE chooses which code is served: "student" (labs/NN-name/views.py, the copy you edit, and
the default), "starter" (labs/NN-name/starter/views.py) or "solution" (labs/NN-name/solution/views.py).
settings.LAB_VARIANTS maps a lab's folder name to a file served for that lab instead (tests/labs near-misses).
A lab whose code does not import answers every request under its prefix with a 500 that says why,
and the other labs keep working.
"""

from __future__ import annotations

import traceback
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import JsonResponse
from django.urls import include, path, re_path

from labs.loading import describe, lab_folders, load_lab_views

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.urls import URLPattern


def broken_lab(message: str) -> list[URLPattern]:
    async def explain(request: HttpRequest, rest: str = "") -> JsonResponse:
        return JsonResponse({"error": message}, status=500)

    return [re_path(r"^(?P<rest>.*)$", explain)]


def build_urlpatterns(code: str, variants: dict | None = None) -> list:
    """`variants`: lab folder name -> the file to serve for that lab instead of `code` (a near-miss variant)."""
    patterns = []
    for folder in lab_folders():
        if not (folder / "starter" / "views.py").exists():
            continue  # a lab without views (lab 07: your work is a test file)
        lab_code = (variants or {}).get(folder.name, code)
        try:
            lab_patterns = load_lab_views(folder, lab_code).urlpatterns
        except Exception:  # noqa: BLE001 - a broken lab must not take the project down
            last = traceback.format_exc().strip().splitlines()[-1]
            lab_patterns = broken_lab(f"labs/{folder.name}/{describe(lab_code)} did not import: {last}")
        patterns.append(path(f"{folder.name}/", include(lab_patterns)))
    return patterns


urlpatterns = build_urlpatterns(getattr(settings, "LAB_CODE", "student"), getattr(settings, "LAB_VARIANTS", None))
