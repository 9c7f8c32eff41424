"""What drf-spectacular cannot guess about the DRF and adrf views: their parameters and responses.

Views that are not GenericAPIViews have no serializer_class to read, so without these the schema lists the routes
with "No response body". The same three decorators describe the sync (drf_views.py) and async (adrf_views.py)
handlers: spectacular reads the classes, not how they run. django-ninja writes its schema from the endpoints'
type hints (ninja_api.py) and needs none of this.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema

from api.serializers import (
    ArticleDetailSerializer,
    ArticlePageSerializer,
    ErrorSerializer,
    PublishedSerializer,
    UpstreamSerializer,
)

describe_list = extend_schema(
    summary="Published articles, ten a page",
    parameters=[OpenApiParameter("page", int, description="1 to 10000; 1 if absent")],
    responses={200: ArticlePageSerializer, 400: ErrorSerializer},
)
describe_detail = extend_schema(summary="One article", responses={200: ArticleDetailSerializer, 404: ErrorSerializer})
describe_publish = extend_schema(
    summary="Publish a draft (staff, with the session's CSRF token)",
    request=None,
    responses={200: PublishedSerializer} | dict.fromkeys([401, 403, 404, 409, 503], ErrorSerializer),
)
describe_upstream = extend_schema(
    summary="Call the slow upstream once per delay",
    parameters=[OpenApiParameter("delays", str, description="comma-separated seconds, at most 5, each 0 to 2")],
    responses={200: UpstreamSerializer, 400: ErrorSerializer, 502: ErrorSerializer},
)


def only_the_api(endpoints, **kwargs):
    """drf-spectacular's preprocessing hook (settings.SPECTACULAR_SETTINGS): the schema describes /api/, not the
    DRF views a lab serves under /labs/ (a student's work in progress, which `check --deploy` would warn about)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]
