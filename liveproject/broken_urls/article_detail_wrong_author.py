"""The article detail endpoint answers 200 with the right slug and title but the wrong author and status (a view
that reads them from the wrong row, or from defaults)."""

import json

from django.http import JsonResponse
from django.urls import path

from articles import views
from config.urls import urlpatterns as project_urlpatterns


async def article_detail_with_a_wrong_author(request, slug):
    response = await views.async_article_detail(request, slug)
    if response.status_code != 200:
        return response
    data = json.loads(response.content)
    data["author"] = "editor" if data["author"] != "editor" else "ada"  # someone else
    data["status"] = "draft" if data["status"] != "draft" else "published"
    return JsonResponse(data)


urlpatterns = [
    path("articles/async/<slug:slug>/", article_detail_with_a_wrong_author),
    *project_urlpatterns,
]
