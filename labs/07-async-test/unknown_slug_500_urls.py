"""A deliberately broken URLconf for lab 07's checks: the article detail answers 500 for an unknown slug, not 404.

It answers with a 500 *response*, the one a client of a crashed server receives (the project's handler500), and
does not raise: Django's AsyncClient re-raises a view's exception in the test, and then any request for an
unknown slug would "catch" the crash, even in a test that asserts nothing about the status. The checks copy this
file next to your detail_tests.py and run your tests with ROOT_URLCONF pointing at it.
"""

from django.urls import path

from articles import views
from articles.models import Article
from config.urls import urlpatterns as project_urlpatterns
from config.views import server_error


async def article_detail_500_for_an_unknown_slug(request, slug):
    if not await Article.objects.filter(slug=slug).aexists():
        return server_error(request)  # {"error": "internal server error"}, status 500
    return await views.async_article_detail(request, slug)


urlpatterns = [
    path("articles/async/<slug:slug>/", article_detail_500_for_an_unknown_slug),
    *project_urlpatterns,
]
