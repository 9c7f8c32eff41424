"""Lab 09, starter: an article API written with Django REST framework, served under /labs/09-async-api/.

    GET  articles/<slug>/          the article as JSON
    POST articles/<slug>/share/    share it (staff only): tell the author's followers, answer the article as JSON

It works: DRF's sync views run on a thread per request under ASGI. But each share keeps its client waiting while the
followers are told (labs.support.notify_followers takes a second), and nothing here runs on the event loop.
Make both views async, with adrf or django-ninja (your choice), keep every answer as it is, and move the
notification into a task that a worker runs. README.md has the rules.
"""

from django.urls import path
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from articles.models import Article
from labs.support import notify_followers


class ArticleSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username")

    class Meta:
        model = Article
        fields = ["slug", "title", "status", "published_at", "author"]


# TODO 1: make this view async (adrf's api_view, or a django-ninja endpoint). In async code the serializer may not
# load the author itself: load it with the article.
@api_view(["GET"])
def article_detail(request, slug):
    article = Article.objects.filter(slug=slug).first()
    if article is None:
        return Response({"error": f"no article with slug {slug!r}"}, status=404)
    return Response(ArticleSerializer(article).data)


# TODO 2: make this view async too, with the same answers and the same CSRF protection.
# TODO 3: do not tell the followers here: enqueue the task, and let a worker run it.
@api_view(["POST"])
def article_share(request, slug):
    if not request.user.is_authenticated:
        return Response({"error": "log in to share (POST /auth/login/)"}, status=401)
    if not request.user.is_staff:
        return Response({"error": "only staff can share"}, status=403)
    article = Article.objects.filter(slug=slug).first()
    if article is None:
        return Response({"error": f"no article with slug {slug!r}"}, status=404)
    notify_followers.call(slug=slug)  # runs the task's function right here: the client waits for it
    return Response(ArticleSerializer(article).data)


urlpatterns = [
    path("articles/<slug:slug>/", article_detail),
    path("articles/<slug:slug>/share/", article_share),
]
