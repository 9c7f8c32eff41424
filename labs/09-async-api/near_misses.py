"""Near-misses of lab 09 that its checks must fail (labs/near_misses.py explains them)."""

from labs.near_misses import NearMiss

ENQUEUE = "    await notify_followers.aenqueue(slug=slug)  # a row in the database; a worker tells the followers"
IMPORTS = "from adrf.decorators import api_view\n"

# Each near-miss quotes the lines of the solution it replaces, and those that take a lesson out the same way look
# alike: the repetition is the table, on purpose.

NEAR_MISSES = [
    NearMiss(
        "the followers told on a thread started from the view",
        (
            (IMPORTS, "import threading\n\n" + IMPORTS),
            (ENQUEUE, '    threading.Thread(target=notify_followers.call, kwargs={"slug": slug}).start()'),
        ),
        lesson="where a restart loses it",
        differs_by_django=True,
    ),
    NearMiss(
        "the followers told by asyncio.create_task (chapter 02's fire and forget)",
        (
            (IMPORTS, "import asyncio\n\n" + IMPORTS),
            (ENQUEUE, "    asyncio.create_task(notify_followers.acall(slug=slug))  # the client does not wait"),
        ),
        # acall() runs the sync function through sync_to_async on the request's own thread (chapter 12), so the
        # response's last step, closing it on that thread too, waits behind the whole notification
        lesson="the client must not wait for it",
        differs_by_django=True,
    ),
    NearMiss(
        "the task's function awaited in the view",
        ((ENQUEUE, "    await notify_followers.acall(slug=slug)  # async, so it does not block"),),
        lesson="the client must not wait for it",
        differs_by_django=True,
    ),
    NearMiss(
        "enqueue() instead of aenqueue() in the async view",
        ((ENQUEUE, "    notify_followers.enqueue(slug=slug)"),),
        lesson="You cannot call this from an async context",
        differs_by_django=True,
    ),
    NearMiss(
        "the author not loaded with the article",
        (('    return Article.objects.select_related("author")', "    return Article.objects.all()"),),
        lesson="You cannot call this from an async context",
    ),
    NearMiss(
        "the session read by hand, with DRF's authentication (and its CSRF check) switched off",
        (
            (IMPORTS, IMPORTS + "from rest_framework.decorators import authentication_classes\n"),
            ('@api_view(["POST"])\n', '@api_view(["POST"])\n@authentication_classes([])  # one thread hop less\n'),
            (
                "    if not request.user.is_authenticated:",
                "    user = await request._request.auser()\n    if not user.is_authenticated:",
            ),
            ("    if not request.user.is_staff:", "    if not user.is_staff:"),
        ),  # fmt: skip
        lesson="nothing checked the CSRF token",
        differs_by_django=True,
    ),
    NearMiss(
        "the share left a sync DRF view, only the enqueue moved",
        (
            (IMPORTS, IMPORTS + "from rest_framework.decorators import api_view as sync_api_view\n"),
            (
                '@api_view(["POST"])\nasync def article_share(request, slug):',
                '@sync_api_view(["POST"])\ndef article_share(request, slug):',
            ),
            (
                "    article = await with_author().filter(slug=slug).afirst()\n    if article is None:\n"
                '        return Response({"error": f"no article with slug {slug!r}"}, status=404)\n' + ENQUEUE,
                "    article = with_author().filter(slug=slug).first()\n    if article is None:\n"
                '        return Response({"error": f"no article with slug {slug!r}"}, status=404)\n'
                "    notify_followers.enqueue(slug=slug)",
            ),
        ),  # fmt: skip
        lesson="that is a sync view",
    ),
    NearMiss(
        "the refusals checked async, then the rest of the share as one sync function through sync_to_async",
        (
            (IMPORTS, "from asgiref.sync import sync_to_async\n" + IMPORTS),
            (
                "    article = await with_author().filter(slug=slug).afirst()\n    if article is None:\n"
                '        return Response({"error": f"no article with slug {slug!r}"}, status=404)\n' + ENQUEUE,
                "    return await sync_to_async(share_it)(slug)\n\n\ndef share_it(slug):\n"
                "    article = with_author().filter(slug=slug).first()\n    if article is None:\n"
                '        return Response({"error": f"no article with slug {slug!r}"}, status=404)\n'
                "    notify_followers.enqueue(slug=slug)",
            ),
        ),  # fmt: skip
        lesson="share_it to a thread",
    ),
    NearMiss(
        "the unknown article answered by aget_object_or_404, in DRF's words",
        (
            (IMPORTS, IMPORTS + "from django.shortcuts import aget_object_or_404\n"),
            (
                "    article = await with_author().filter(slug=slug).afirst()\n    if article is None:\n"
                '        return Response({"error": f"no article with slug {slug!r}"}, status=404)\n' + ENQUEUE,
                "    article = await aget_object_or_404(with_author(), slug=slug)\n" + ENQUEUE,
            ),
        ),  # fmt: skip
        lesson="not the starter's",
    ),
    NearMiss(
        "SynchronousOnlyOperation silenced with DJANGO_ALLOW_ASYNC_UNSAFE, the ORM calls left sync",
        (
            (IMPORTS, 'import os\n\nos.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # no more errors\n\n' + IMPORTS),
            ('    return Article.objects.select_related("author")', "    return Article.objects.all()"),
        ),
        lesson="DJANGO_ALLOW_ASYNC_UNSAFE",
    ),
]
