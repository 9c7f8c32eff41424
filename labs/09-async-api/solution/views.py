"""Lab 09, reference solution, with adrf: the same answers as the DRF starter, on the event loop, and the followers
told by a task that a worker runs.

    GET  articles/<slug>/          the article as JSON
    POST articles/<slug>/share/    share it (staff only): enqueue the notification, answer the article as JSON
"""

from adrf.decorators import api_view
from django.urls import path
from rest_framework import serializers
from rest_framework.response import Response

from articles.models import Article
from labs.support import notify_followers


class ArticleSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username")

    class Meta:
        model = Article
        fields = ["slug", "title", "status", "published_at", "author"]


def with_author():
    """Articles with their author loaded in the same query: the serializer reads article.author.username, and in
    async code it may not run that query itself."""
    return Article.objects.select_related("author")


@api_view(["GET"])
async def article_detail(request, slug):
    article = await with_author().filter(slug=slug).afirst()
    if article is None:
        return Response({"error": f"no article with slug {slug!r}"}, status=404)
    return Response(ArticleSerializer(article).data)


@api_view(["POST"])
async def article_share(request, slug):
    # adrf ran DRF's authentication (and its CSRF check) on a thread before this handler: request.user is loaded
    if not request.user.is_authenticated:
        return Response({"error": "log in to share (POST /auth/login/)"}, status=401)
    if not request.user.is_staff:
        return Response({"error": "only staff can share"}, status=403)
    article = await with_author().filter(slug=slug).afirst()
    if article is None:
        return Response({"error": f"no article with slug {slug!r}"}, status=404)
    await notify_followers.aenqueue(slug=slug)  # a row in the database; a worker tells the followers
    return Response(ArticleSerializer(article).data)


urlpatterns = [
    path("articles/<slug:slug>/", article_detail),
    path("articles/<slug:slug>/share/", article_share),
]
