"""Articles through Django REST framework: a sync ViewSet, routed under /api/drf/.

Under ASGI Django runs each sync view on a thread (sync_to_async, one request at a time per thread of the
default executor), as chapter 01 showed for any sync view: DRF works unchanged, and costs what a thread costs.
"""

from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.publishing import publish_as
from api.schema import describe_detail, describe_list, describe_publish
from api.serializers import ArticleDetailSerializer, ArticleSerializer
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
        articles = ArticleSerializer(published[offset : offset + PAGE_SIZE], many=True).data
        return Response({"page": page, "count": published.count(), "articles": articles})

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
