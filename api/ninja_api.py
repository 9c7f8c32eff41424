"""Articles through django-ninja, under /api/ninja/: async endpoints, pydantic schemas, async pagination.

The same JSON and the same errors as the DRF layers. Ninja validates query parameters against the schema and
answers failures 422 with its own shape; the handlers at the end answer them as the project does: 400 and
`{"error": message}`. `auth=django_auth` on publish checks the session and, for a logged-in user, the CSRF token
(ninja's views are CSRF-exempt for Django: the auth class does the check, so an endpoint without it has none).
"""

from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest
from ninja import Field, NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import AsyncPaginationBase, paginate
from ninja.security import django_auth

from api.publishing import publish_as
from api.upstream import call_upstream_together, upstream_delays
from articles.selectors import article_list_published, article_list_with_transition_count
from articles.views import PAGE_SIZE
from config.errors import ApiError

api = NinjaAPI(title="Articles (django-ninja)", urls_namespace="api-ninja", docs_url=None)


class ArticleOut(Schema):
    slug: str
    title: str
    status: str
    published_at: str | None  # written as datetime.isoformat(), like the other layers (pydantic would write "Z")
    author: str

    @staticmethod
    def resolve_published_at(article) -> str | None:
        return article.published_at.isoformat() if article.published_at else None

    @staticmethod
    def resolve_author(article) -> str:
        return article.author.username  # loaded by select_related: no query here


class ArticleDetailOut(ArticleOut):
    body: str
    transitions: int = Field(alias="transition_count")


class PublishedOut(Schema):
    slug: str
    status: str
    published_at: str


class Error(Schema):
    error: str


class ArticlePages(AsyncPaginationBase):
    """`?page=N`, ten articles a page, answered as {"page", "count", "articles"} like the other layers."""

    items_attribute = "articles"

    class Input(Schema):
        page: int = Field(1, ge=1, le=10_000)

    class Output(Schema):
        page: int
        count: int
        articles: list[Any]

    def paginate_queryset(self, queryset, pagination: Input, **params):
        raise NotImplementedError("the articles endpoints are async: see apaginate_queryset")

    async def apaginate_queryset(self, queryset, pagination: Input, **params):
        offset = (pagination.page - 1) * PAGE_SIZE
        articles = [article async for article in queryset[offset : offset + PAGE_SIZE]]
        return {"page": pagination.page, "count": await queryset.acount(), "articles": articles}


@api.get("/articles/", response={200: list[ArticleOut], 400: Error}, url_name="article_list")
@paginate(ArticlePages)
async def article_list(request: HttpRequest):
    return article_list_published()  # a lazy queryset: the paginator runs it, asynchronously


@api.get("/articles/{slug}/", response={200: ArticleDetailOut, 404: Error}, url_name="article_detail", by_alias=False)
async def article_detail(request: HttpRequest, slug: str):
    article = await article_list_with_transition_count().filter(slug=slug).afirst()
    if article is None:
        return Status(404, {"error": f"no article with slug {slug!r}"})
    return article


REFUSALS = dict.fromkeys([401, 403, 404, 409, 503], Error)


@api.post(
    "/articles/{slug}/publish/", response={200: PublishedOut} | REFUSALS, auth=django_auth, url_name="article_publish"
)
async def article_publish(request: HttpRequest, slug: str):
    status, body = await sync_to_async(publish_as)(request.auth, slug)
    return Status(status, body)


class UpstreamOut(Schema):
    calls: int
    statuses: list[int]


@api.get("/upstream/", response={200: UpstreamOut, 400: Error, 502: Error}, url_name="upstream")
async def upstream(request: HttpRequest, delays: str = "0.2"):
    """Call the slow upstream once per `delays` entry, all at once (asyncio.gather)."""
    return await call_upstream_together(*upstream_delays(request))


@api.exception_handler(ApiError)
def api_error(request, error: ApiError):
    return api.create_response(request, {"error": error.message}, status=error.status)


@api.exception_handler(ValidationError)
def invalid_input(request, error: ValidationError):
    first = error.errors[0]
    where = ".".join(str(part) for part in first["loc"][1:]) or "the request"
    return api.create_response(request, {"error": f"{where}: {first['msg'].lower()}"}, status=400)


@api.exception_handler(AuthenticationError)
def not_logged_in(request, error: AuthenticationError):
    return api.create_response(request, {"error": "log in to publish (POST /auth/login/)"}, status=401)


@api.exception_handler(HttpError)
def http_error(request, error: HttpError):
    return api.create_response(request, {"error": str(error)}, status=error.status_code)
