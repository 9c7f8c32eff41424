"""The article detail endpoint answers 404 for every slug, as if the lookup were wrong."""

from django.urls import path

from config.errors import error_response
from config.urls import urlpatterns as project_urlpatterns


async def article_detail_always_missing(request, slug):
    return error_response(404, f"no article with slug {slug!r}")


urlpatterns = [
    path("articles/async/<slug:slug>/", article_detail_always_missing),
    *project_urlpatterns,
]
