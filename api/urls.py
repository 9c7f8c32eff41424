"""The articles API three ways, mounted under /api/ by config/urls.py: DRF (sync), adrf (async), django-ninja."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from api import adrf_views
from api.drf_views import ArticleViewSet
from api.ninja_api import api as ninja_api

drf = SimpleRouter(use_regex_path=False)  # routes written like the project's own: articles/<slug:slug>/
drf.register("articles", ArticleViewSet, basename="drf-article")

adrf_urls = [
    path("articles/", adrf_views.ArticleList.as_view(), name="adrf-article-list"),
    path("articles/<slug:slug>/", adrf_views.ArticleDetail.as_view(), name="adrf-article-detail"),
    path("articles/<slug:slug>/publish/", adrf_views.ArticlePublish.as_view(), name="adrf-article-publish"),
]

urlpatterns = [
    path("drf/", include(drf.urls)),
    path("adrf/", include(adrf_urls)),
    path("ninja/", ninja_api.urls),
]
