"""Near-misses of lab 04 that its checks must fail (labs/near_misses.py explains them)."""

from labs.near_misses import NearMiss

SOLUTION_ADAPTED = """def adapted_middleware(log_text: str) -> list:
    return re.findall(r"handler adapted for middleware (\\S+?)\\.?$", log_text, flags=re.MULTILINE)"""
SOLUTION_READERS_LOOP = """    for block in log_text.split("Traceback (most recent call last):")[1:]:
        lines = [line for line in block.splitlines() if line.strip()]
        ending = next((line for line in lines if not line.startswith((" ", "\\t"))), "")  # the exception line
        if "SynchronousOnlyOperation" not in ending:
            continue
        own = [
            m["file"]
            for m in FRAME.finditer(block)
            if m["file"].startswith(project) and "site-packages" not in m["file"]
        ]
        if own:
            module = own[-1][len(project) :].removesuffix(".py").replace(os.sep, ".")
            if module not in modules:
                modules.append(module)
    return modules"""

NEAR_MISSES = [
    NearMiss(
        "steps 3 and 4 hard-coded: the adaptation the notebook shows, and the last project file of the whole log",
        (
            (SOLUTION_ADAPTED, '''def adapted_middleware(log_text: str) -> list:
    return ["config.middleware.SyncOnlyMiddleware"]'''),
            (SOLUTION_READERS_LOOP, """    own = [m["file"] for m in FRAME.finditer(log_text)]
    own = [file for file in own if file.startswith(project) and "site-packages" not in file]
    return [own[-1][len(project) :].removesuffix(".py").replace(os.sep, ".")] if own else modules"""),
        ),
        lesson="exception line",
    ),
    NearMiss(
        "only the 'Asynchronous handler adapted' lines are read",
        (('r"handler adapted for middleware', 'r"^DEBUG django.request Asynchronous handler adapted for middleware'),),
        lesson="read both",
    ),
    NearMiss(
        "frames in site-packages count as the project's (the virtualenv lives in the project's folder)",
        ((' and "site-packages" not in m["file"]', ""),),
        lesson="not in site-packages",
    ),
    NearMiss(
        "the URL walk stays at the top level (no include())",
        (("                walk(pattern.url_patterns, route)\n", "                pass\n"),),
        lesson="include()",
    ),
    NearMiss(
        "hasattr() for the capability flags instead of their values",
        (('rows.append([dotted, getattr(layer, "sync_capable", True), getattr(layer, "async_capable", False)])',
          'rows.append([dotted, hasattr(layer, "sync_capable"), hasattr(layer, "async_capable")])'),),
        lesson="read the flags' values",
    ),
]  # fmt: skip
