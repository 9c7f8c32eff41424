"""Articles through Django REST framework: a sync ViewSet, routed under /api/drf/.

Under ASGI Django runs a sync view on a thread, as chapter 01 showed for any sync view: each request has a thread of
its own (Django's ASGIHandler serves it in a ThreadSensitiveContext), and the view runs there while the request's
coroutine awaits it. DRF works unchanged, and costs what a thread costs.
"""

from rest_framework import viewsets
from rest_framework.decorators import action, api_view
from rest_framework.response import Response

from api.publishing import publish_as
from api.schema import describe_detail, describe_list, describe_publish, describe_upstream
from api.serializers import ArticleDetailSerializer, ArticlePageSerializer
from api.upstream import call_upstream_in_turn, upstream_delays
from articles.selectors import article_list_published, article_list_with_transition_count
from articles.views import PAGE_SIZE
from config.params import int_param


class ArticleViewSet(viewsets.ViewSet):
    lookup_field = "slug"
    lookup_value_converter = "slug"

    @describe_list
    def list(self, request):
        page = int_param(request, "page", default=1, minimum=1, maximum=10_000)
        published = article_list_published()
        offset = (page - 1) * PAGE_SIZE
        rows = published[offset : offset + PAGE_SIZE]
        return Response(ArticlePageSerializer({"page": page, "count": published.count(), "articles": rows}).data)

    @describe_detail
    def retrieve(self, request, slug):
        article = article_list_with_transition_count().filter(slug=slug).first()
        if article is None:
            return Response({"error": f"no article with slug {slug!r}"}, status=404)
        return Response(ArticleDetailSerializer(article).data)

    @describe_publish
    @action(detail=True, methods=["post"])
    def publish(self, request, slug):
        status, body = publish_as(request.user, slug)
        return Response(body, status=status)


@describe_upstream
@api_view(["GET"])
def upstream(request):
    """Call the slow upstream once per `delays` entry: one after another, as a sync view can."""
    return Response(call_upstream_in_turn(*upstream_delays(request)))
