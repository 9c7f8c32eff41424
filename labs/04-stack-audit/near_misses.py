"""Near-misses of lab 04 that its checks must fail (labs/near_misses.py explains them)."""

from labs.near_misses import NearMiss

# Each near-miss quotes the lines of the solution it replaces, and those that take a lesson out the same way
# look alike: the repetition is the table, on purpose.

SOLUTION_ADAPTED = """def adapted_middleware(log_text: str) -> list:
    return re.findall(r"handler adapted for middleware (\\S+?)\\.?$", log_text, flags=re.MULTILINE)"""
SOLUTION_WALK = """def endpoint_modes() -> dict:
    modes = {}

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver) and not route.startswith(("admin/", "labs/")):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                modes["/" + route] = "async" if iscoroutinefunction(pattern.callback) else "sync"

    walk(get_resolver().url_patterns, "")
    return modes"""
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
        "endpoints copied from the project's URLconf as the student saw it (and the two routes the checks add)",
        ((SOLUTION_WALK, """def endpoint_modes() -> dict:
    return {
        '/async-hello/': 'async',
        '/async-demo/concurrent/': 'async',
        '/async-demo/sequential/': 'async',
        '/async-status/': 'async',
        '/ping/sync/': 'sync',
        '/ping/async/': 'async',
        '/wait/sync/': 'sync',
        '/wait/async/': 'async',
        '/compute/sync/': 'sync',
        '/compute/async/': 'async',
        '/where/sync/': 'sync',
        '/where/async/': 'async',
        '/db/connection/': 'async',
        '/db/gather/': 'async',
        '/upstream/': 'async',
        '/fan-out/': 'async',
        '/clients/global/': 'async',
        '/clients/per-request/': 'async',
        '/background/fire-and-forget/': 'async',
        '/blocking/mistake/': 'async',
        '/blocking/fixed/': 'async',
        '/long-poll/': 'async',
        '/sync-work/': 'async',
        '/stream/events/': 'async',
        '/stream/events/sync/': 'sync',
        '/articles/async/': 'async',
        '/articles/page/': 'async',
        '/articles/titles/render/': 'async',
        '/articles/titles/template-response/': 'async',
        '/articles/drafts/': 'async',
        '/articles/drafts/with-django-mixin/': 'async',
        '/articles/async/slugs/': 'async',
        '/articles/async/<slug:slug>/': 'async',
        '/articles/async/<slug:slug>/publish/': 'async',
        '/articles/async/<slug:slug>/publish/without-lock/': 'async',
        '/auth/csrf/': 'async',
        '/auth/login/': 'async',
        '/auth/logout/': 'async',
        '/auth/whoami/': 'async',
        '/lab04/wrapped/': 'async',
        '/lab04/other-error/': 'async',
    }"""),),
        lesson="do not copy the routes",
    ),
    NearMiss(
        "capability flags read with the defaults swapped (a middleware without flags gets the wrong row)",
        (('getattr(layer, "sync_capable", True), getattr(layer, "async_capable", False)',
          'getattr(layer, "sync_capable", False), getattr(layer, "async_capable", True)'),),
        lesson="Django's defaults",
    ),
    NearMiss(
        "a module is listed once per traceback, not once",
        (("            if module not in modules:\n                modules.append(module)",
          "            modules.append(module)"),),
        lesson="once each",
    ),
    NearMiss(
        "any traceback that mentions SynchronousOnlyOperation counts, not only those ending with it",
        (('if "SynchronousOnlyOperation" not in ending:', 'if "SynchronousOnlyOperation" not in block:'),),
        lesson="exception line",
    ),
    NearMiss(
        "the first project frame of the traceback instead of the last",
        (("module = own[-1][len(project) :]", "module = own[0][len(project) :]"),),
        lesson="take the last",
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
