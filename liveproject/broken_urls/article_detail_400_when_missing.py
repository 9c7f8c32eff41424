"""The article detail endpoint answers 400 with an error message for an unknown slug, not 404: a client error,
but the wrong one (a test that only asks for a 4xx, or for "not a 5xx", cannot tell it from a 404)."""

from django.urls import path

from articles import views
from articles.models import Article
from config.errors import error_response
from config.urls import urlpatterns as project_urlpatterns


async def article_detail_400_for_an_unknown_slug(request, slug):
    if not await Article.objects.filter(slug=slug).aexists():
        return error_response(400, f"bad slug {slug!r}")
    return await views.async_article_detail(request, slug)


urlpatterns = [
    path("articles/async/<slug:slug>/", article_detail_400_for_an_unknown_slug),
    *project_urlpatterns,
]
