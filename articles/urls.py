"""URLs of the articles app, mounted under /articles/ by config/urls.py."""

from django.urls import path

from articles import views
from articles.services import article_publish_without_lock

urlpatterns = [
    path("async/", views.ArticleListView.as_view(), name="article_list"),
    path("page/", views.ArticlePageView.as_view(), name="article_page"),
    path("titles/render/", views.async_titles_render, name="async_titles_render"),
    path("titles/template-response/", views.async_titles_template_response, name="async_titles_template_response"),
    path("drafts/", views.DraftListView.as_view(), name="draft_list"),
    path(
        "drafts/with-django-mixin/", views.DraftListWithDjangoMixinView.as_view(), name="draft_list_with_django_mixin"
    ),
    path("async/slugs/", views.async_article_slugs, name="async_article_slugs"),
    path("async/<slug:slug>/", views.async_article_detail, name="async_article_detail"),
    path("async/<slug:slug>/publish/", views.async_article_publish, name="async_article_publish"),
    path("async/<slug:slug>/announce/", views.async_article_announce, name="async_article_announce"),
    path("async/<slug:slug>/watch/", views.async_article_watch, name="async_article_watch"),
    path(  # chapter 09e's mistake: the same stream holding its database connection until it ends
        "async/<slug:slug>/watch/holding/",
        views.async_article_watch,
        {"release": False},
        name="async_article_watch_holding",
    ),
    path("announcements/<uuid:result_id>/", views.async_announcement, name="async_announcement"),
    path(  # chapter 06's mistake: the same view over the service without the row lock
        "async/<slug:slug>/publish/without-lock/",
        views.async_article_publish,
        {"service": article_publish_without_lock},
        name="async_article_publish_without_lock",
    ),
]
