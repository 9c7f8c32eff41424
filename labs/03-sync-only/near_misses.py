"""Near-misses of lab 03 that its checks must fail (labs/near_misses.py explains them)."""

from labs.near_misses import NearMiss

# Each near-miss quotes the lines of the solution it replaces, and those that take a lesson out the same way
# look alike: the repetition is the table, on purpose.

SOLUTION_IMPORTS = "from asgiref.sync import sync_to_async\n"
SOLUTION_TITLES = (
    '    return TemplateResponse(request, "articles/article_list.html", '
    '{"articles": newest().select_related("author")})'
)
SOLUTION_MODELS = "from articles.models import Article\n"
RENDER_TITLES = '    return render(request, "articles/article_list.html", {"articles": newest()})'

NEAR_MISSES = [
    NearMiss(
        "DJANGO_ALLOW_ASYNC_UNSAFE set at import, titles/ left as render() of a lazy queryset",
        (
            (SOLUTION_IMPORTS, "import os\n\n" + SOLUTION_IMPORTS + "from django.shortcuts import render\n"),
            (SOLUTION_MODELS,
             SOLUTION_MODELS + '\nos.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # makes the error go away\n'),
            (SOLUTION_TITLES, RENDER_TITLES),
        ),
        lesson="DJANGO_ALLOW_ASYNC_UNSAFE is not a fix",
    ),
    NearMiss(
        "DJANGO_ALLOW_ASYNC_UNSAFE left set at import after the three views were fixed",
        (
            (SOLUTION_IMPORTS, "import os\n\n" + SOLUTION_IMPORTS),
            (SOLUTION_MODELS, SOLUTION_MODELS + '\nos.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")\n'),
        ),
        lesson="DJANGO_ALLOW_ASYNC_UNSAFE is not a fix",
    ),
    NearMiss(
        "chapter 04's demonstration pasted into titles/: the guard switched off around render(), then on again",
        (
            (SOLUTION_IMPORTS, "import os\n\n" + SOLUTION_IMPORTS + "from django.shortcuts import render\n"),
            (SOLUTION_TITLES,
             '    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"\n'
             "    try:\n"
             '        return render(request, "articles/article_list.html", {"articles": newest()})\n'
             "    finally:\n"
             '        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]'),
        ),
        lesson="DJANGO_ALLOW_ASYNC_UNSAFE is not a fix",
    ),
    NearMiss(
        "titles/ made a sync view, still render() of a lazy queryset",
        (
            ("async def newest_titles_page(request):", "def newest_titles_page(request):"),
            (SOLUTION_IMPORTS, SOLUTION_IMPORTS + "from django.shortcuts import render\n"),
            (SOLUTION_TITLES, RENDER_TITLES),
        ),
        lesson="the three views stay async",
    ),
    NearMiss(
        "async-orm/ without select_related: each author awaited on its own (one query per article)",
        (
            ('        {"slug": article.slug, "author": article.author.username}\n'
             '        async for article in newest().select_related("author")  # one query, authors included\n',
             '        {"slug": article.slug, "author": (await User.objects.aget(pk=article.author_id)).username}\n'
             "        async for article in newest()\n"),
            ("from articles.models import Article\n",
             "from articles.models import Article\nfrom django.contrib.auth.models import User\n"),
        ),
        lesson="select_related('author')",
        differs_by_django=True,
    ),
    NearMiss(
        "titles/ a plain def behind an async wrapper that hands it the request through sync_to_async",
        (
            (SOLUTION_IMPORTS, SOLUTION_IMPORTS + "from django.shortcuts import render\n"),
            ("@require_GET\nasync def newest_titles_page(request):\n",
             "def titles_sync(request):\n"
             '    return render(request, "articles/article_list.html", {"articles": newest()})\n\n\n'
             "@require_GET\nasync def newest_titles_page(request):\n"
             "    return await sync_to_async(titles_sync)(request)\n"),
        ),
        lesson="a sync view behind an async wrapper",
    ),
    NearMiss(
        "async-orm/ through a helper async generator that runs the query with sync_to_async(list)",
        (
            ("@require_GET\nasync def newest_async_orm(request):\n",
             "async def newest_rows():\n"
             '    for article in await sync_to_async(list)(newest().select_related("author")):\n'
             "        yield article\n\n\n"
             "@require_GET\nasync def newest_async_orm(request):\n"),
            ('        async for article in newest().select_related("author")  # one query, authors included\n',
             "        async for article in newest_rows()\n"),
        ),
        lesson="nor in a function of yours that it calls",
    ),
]  # fmt: skip
