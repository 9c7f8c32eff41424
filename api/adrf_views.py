"""Articles through adrf, DRF's async views, under /api/adrf/: the same JSON as drf_views.py, on the event loop.

adrf runs DRF's `initial()` (authentication, permissions, throttles) through one sync_to_async, then awaits the
handler. The handlers serialize with DRF's plain `.data`: the rows are loaded first, so it runs no query. (adrf's
own `adata` hops to a thread for every field of every row; chapter 12 measures it.)
"""

from adrf.views import APIView
from asgiref.sync import sync_to_async
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from api.publishing import publish_as
from api.schema import describe_detail, describe_list, describe_publish, describe_upstream
from api.serializers import ArticleDetailSerializer, ArticlePageSerializer
from api.upstream import call_upstream_together, upstream_delays
from articles.selectors import article_list_published, article_list_with_transition_count
from articles.views import PAGE_SIZE
from config.params import int_param


class ArticleList(APIView):
    # an APIView is no ViewSet: spectacular cannot tell this GET is a list, and would name it like the detail's
    @extend_schema(operation_id="adrf_articles_list")
    @describe_list
    async def get(self, request):
        page = int_param(request, "page", default=1, minimum=1, maximum=10_000)
        published = article_list_published()
        offset = (page - 1) * PAGE_SIZE
        rows = [article async for article in published[offset : offset + PAGE_SIZE]]
        return Response(ArticlePageSerializer({"page": page, "count": await published.acount(), "articles": rows}).data)


class ArticleDetail(APIView):
    @describe_detail
    async def get(self, request, slug):
        article = await article_list_with_transition_count().filter(slug=slug).afirst()
        if article is None:
            return Response({"error": f"no article with slug {slug!r}"}, status=404)
        return Response(ArticleDetailSerializer(article).data)


class ArticlePublish(APIView):
    @describe_publish
    async def post(self, request, slug):
        # request.user was loaded by initial(), on its thread: reading it here runs no query.
        status, body = await sync_to_async(publish_as)(request.user, slug)
        return Response(body, status=status)


class Upstream(APIView):
    @describe_upstream
    async def get(self, request):
        """Call the slow upstream once per `delays` entry, all at once (asyncio.gather)."""
        return Response(await call_upstream_together(*upstream_delays(request)))
