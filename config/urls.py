"""The project's URLs: each app's URLconf, the labs, the JSON login flow and the admin."""

from django.contrib import admin
from django.urls import include, path

from config import views

urlpatterns = [
    path("", include("pages.urls")),
    path("articles/", include("articles.urls")),
    path("realtime/", include("realtime.urls")),
    path("api/", include("api.urls")),  # the articles API three ways: DRF, adrf, django-ninja (chapter 12)
    path("labs/", include("labs.urls")),  # each lab's views, from labs/NN-name/ (see labs/urls.py)
    path("auth/csrf/", views.csrf_token, name="csrf_token"),
    path("auth/login/", views.async_login, name="async_login"),
    path("auth/logout/", views.async_logout, name="async_logout"),
    path("auth/whoami/", views.async_whoami, name="async_whoami"),
    path("admin/", admin.site.urls),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
