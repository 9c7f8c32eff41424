"""The article detail endpoint crashes (500) for an unknown slug instead of answering 404."""

from django.urls import path

from articles import views
from articles.models import Article
from config.urls import urlpatterns as project_urlpatterns


async def article_detail_without_404(request, slug):
    await Article.objects.aget(slug=slug)  # raises Article.DoesNotExist for an unknown slug: a 500
    return await views.async_article_detail(request, slug)


urlpatterns = [
    path("articles/async/<slug:slug>/", article_detail_without_404),
    *project_urlpatterns,
]
