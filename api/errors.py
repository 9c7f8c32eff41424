"""DRF's errors in the project's shape: `{"error": message}` (settings.REST_FRAMEWORK["EXCEPTION_HANDLER"]).

DRF answers its own exceptions (NotFound, ParseError, a CSRF failure, a wrong method...) as `{"detail": ...}`;
the project's views answer `{"error": ...}`. This handler makes DRF and adrf speak like the rest of the project,
and answers the project's ApiError (bad query parameters, config/params.py) itself.
"""

from rest_framework.response import Response
from rest_framework.views import exception_handler

from config.errors import ApiError


def api_exception_handler(exc, context):
    if isinstance(exc, ApiError):
        return Response({"error": exc.message}, status=exc.status)
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"error": str(response.data["detail"])}
    return response
