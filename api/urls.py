"""The articles API three ways, mounted under /api/ by config/urls.py: DRF (sync), adrf (async), django-ninja;
the OpenAPI schemas that describe them; and the upstream call of each layer in a plain Django view, to compare."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from api import adrf_views, views
from api.drf_views import ArticleViewSet, upstream
from api.ninja_api import api as ninja_api

drf = SimpleRouter(use_regex_path=False)  # routes written like the project's own: articles/<slug:slug>/
drf.register("articles", ArticleViewSet, basename="drf-article")

adrf_urls = [
    path("articles/", adrf_views.ArticleList.as_view(), name="adrf-article-list"),
    path("articles/<slug:slug>/", adrf_views.ArticleDetail.as_view(), name="adrf-article-detail"),
    path("articles/<slug:slug>/publish/", adrf_views.ArticlePublish.as_view(), name="adrf-article-publish"),
    path("upstream/", adrf_views.Upstream.as_view(), name="adrf-upstream"),
]

urlpatterns = [
    path("drf/", include([*drf.urls, path("upstream/", upstream, name="drf-upstream")])),
    path("adrf/", include(adrf_urls)),
    path("ninja/", ninja_api.urls),  # its schema: /api/ninja/openapi.json
    path("django/upstream/", views.async_upstream, name="async_upstream"),  # no framework: the yardstick
    path("schema/", SpectacularAPIView.as_view(), name="schema"),  # DRF's and adrf's, by drf-spectacular
]
