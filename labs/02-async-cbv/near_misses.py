"""Near-misses of lab 02 that its checks must fail (labs/near_misses.py explains them)."""

from labs.near_misses import NearMiss

# Each near-miss quotes the lines of the solution it replaces, and those that take a lesson out the same way
# look alike: the repetition is the table, on purpose.

SOLUTION_GATHER = "results = await asyncio.gather(slow_io(1), slow_io(2), slow_io(3))"
SOLUTION_DURATION = '"duration_ms": round((time.perf_counter() - started) * 1000, 1)'
SOLUTION_DRAFTS_CLASS = "class MyDraftsView(AsyncLoginRequiredMixin, View):"
SOLUTION_DRAFTS = "drafts = Article.objects.filter(status=Article.Status.DRAFT, author=request.user)"
SOLUTION_DRAFTS_GET = f"""    async def get(self, request):
        {SOLUTION_DRAFTS}
        return JsonResponse({{"username": request.user.username, "drafts": await drafts.acount()}})"""
SYNC_DRAFTS_GET = """    def get(self, request):
        if not request.user.is_authenticated:
            return JsonResponse({"error": "log in first"}, status=401)
        drafts = Article.objects.filter(status=Article.Status.DRAFT, author=request.user)
        return JsonResponse({"username": request.user.username, "drafts": drafts.count()})"""
DISGUISED_DRAFTS_GET = """    async def get(self, request):
        return await sync_to_async(self.sync_get)(request)

    def sync_get(self, request):
        if not request.user.is_authenticated:
            return JsonResponse({"error": "log in first"}, status=401)
        drafts = Article.objects.filter(status=Article.Status.DRAFT, author=request.user)
        return JsonResponse({"username": request.user.username, "drafts": drafts.count()})"""
HAND_MADE_405 = """    async def post(self, request):
        return JsonResponse({"error": "method not allowed"}, status=405)


"""

NEAR_MISSES = [
    NearMiss(
        "time.sleep(0.2) and made-up results in the async handler",
        ((SOLUTION_GATHER, 'time.sleep(0.2)\n        results = [{"task": n, "done": True} for n in (1, 2, 3)]'),),
        lesson="blocks the event loop",
    ),
    NearMiss(
        "MyDraftsView written as a plain sync view",
        ((SOLUTION_DRAFTS_CLASS, "class MyDraftsView(View):"), (SOLUTION_DRAFTS_GET, SYNC_DRAFTS_GET)),
        lesson="a sync view",
    ),
    NearMiss(
        "the three waits awaited in sequence, duration_ms divided by three",
        (
            (SOLUTION_GATHER, "results = [await slow_io(n) for n in (1, 2, 3)]"),
            (SOLUTION_DURATION, '"duration_ms": round((time.perf_counter() - started) * 1000 / 3, 1)'),
        ),
        lesson="concurrent",
    ),
    NearMiss(
        "an async post handler that answers 405 by hand",
        ((SOLUTION_DRAFTS_CLASS, HAND_MADE_405 + SOLUTION_DRAFTS_CLASS),),
        lesson="allowed",
    ),
    NearMiss(
        "Django's LoginRequiredMixin on the async view",
        (
            ("from config.mixins import AsyncLoginRequiredMixin",
             "from django.contrib.auth.mixins import LoginRequiredMixin"),
            (SOLUTION_DRAFTS_CLASS, "class MyDraftsView(LoginRequiredMixin, View):"),
        ),
        lesson="AsyncLoginRequiredMixin",
        differs_by_django=True,
    ),
    NearMiss(
        "every draft counted, not the user's own",
        ((SOLUTION_DRAFTS, "drafts = Article.objects.filter(status=Article.Status.DRAFT)"),),
        lesson="own drafts",
        differs_by_django=True,
    ),
    NearMiss(
        "the drafts counted with the sync ORM (count() instead of acount())",
        (("await drafts.acount()", "drafts.count()"),),
        lesson="SynchronousOnlyOperation",
    ),
    NearMiss(
        "the handler's duration_ms a constant (the 200 ms the README shows)",
        ((SOLUTION_DURATION, '"duration_ms": 200.0'),),
        lesson="measured from the start of the handler",
    ),
    NearMiss(
        "fake I/O: one asyncio.sleep(0.2) and results typed in, slow_io never called",
        ((SOLUTION_GATHER,
          'await asyncio.sleep(0.2)\n        results = [{"task": n, "done": True} for n in (1, 2, 3)]'),),
        lesson="must await slow_io(1), slow_io(2) and slow_io(3) themselves",
    ),
    NearMiss(
        "half in sequence: slow_io(1) awaited alone, then the other two gathered",
        ((SOLUTION_GATHER, "results = [await slow_io(1), *await asyncio.gather(slow_io(2), slow_io(3))]"),),
        lesson="not concurrently",
    ),
    NearMiss(
        "MyDraftsView a sync view in disguise: an async get() that runs a sync one through sync_to_async",
        (("import time\n", "import time\n\nfrom asgiref.sync import sync_to_async\n"),
         (SOLUTION_DRAFTS_CLASS, "class MyDraftsView(View):"),
         (SOLUTION_DRAFTS_GET, DISGUISED_DRAFTS_GET)),
        lesson="not run a sync view on a thread",
    ),
]  # fmt: skip
