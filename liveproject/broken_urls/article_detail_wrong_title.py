"""The article detail endpoint answers 200 with the right slug but a wrong title (a mix-up of fields)."""

import json

from django.http import JsonResponse
from django.urls import path

from articles import views
from config.urls import urlpatterns as project_urlpatterns


async def article_detail_with_a_wrong_title(request, slug):
    response = await views.async_article_detail(request, slug)
    if response.status_code != 200:
        return response
    data = json.loads(response.content)
    data["title"] = data["body"][:40] or "untitled"  # the body where the title belongs
    return JsonResponse(data)


urlpatterns = [
    path("articles/async/<slug:slug>/", article_detail_with_a_wrong_title),
    *project_urlpatterns,
]
