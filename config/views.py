"""Project-wide views: JSON error pages and a JSON session login.

Authentication is Django's own session cookie, with CSRF protection left fully on. A script, a
notebook or a test logs in like a browser would:

    GET  /auth/csrf/    sets the csrftoken cookie and returns {"csrfToken": ...}
    POST /auth/login/   {"username", "password"} with the X-CSRFToken header
    then every unsafe request sends the session cookie and the X-CSRFToken header.

Nothing is exempt from CSRF: a cookie-authenticated write without the token is refused (403).

The async auth views are marked `transaction.non_atomic_requests`: with ATOMIC_REQUESTS=True Django refuses
every async view that is not (chapter 06 switches it on), and logging in must keep working there.
"""

from django.contrib.auth import aauthenticate, alogin, alogout
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from config.errors import ApiError, error_response
from config.params import json_body


@require_GET
@ensure_csrf_cookie
@transaction.non_atomic_requests
async def csrf_token(request):
    return JsonResponse({"csrfToken": get_token(request)})


@require_POST
@transaction.non_atomic_requests
async def async_login(request):
    data = json_body(request)
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise ApiError(400, "username and password are required strings")
    user = await aauthenticate(request, username=username, password=password)
    if user is None:
        return error_response(401, "wrong username or password")
    await alogin(request, user)  # rotates the CSRF token: read the csrftoken cookie again
    return JsonResponse({"username": user.username, "is_staff": user.is_staff})


@require_POST
@transaction.non_atomic_requests
async def async_logout(request):
    await alogout(request)
    return JsonResponse({"logged_out": True})


@require_GET
@transaction.non_atomic_requests
async def async_whoami(request):
    user = await request.auser()
    return JsonResponse({"authenticated": user.is_authenticated, "username": user.get_username()})


def csrf_failure(request, reason=""):
    return error_response(403, f"CSRF check failed: {reason}")


# Used by config/urls.py when DEBUG is off (with DEBUG on, Django shows its debug pages instead).
def bad_request(request, exception=None):
    if isinstance(exception, DisallowedHost):  # the Host header names a host that is not in ALLOWED_HOSTS
        return error_response(400, "this server does not serve the host named in the Host header")
    return error_response(400, "bad request")


def permission_denied(request, exception=None):
    return error_response(403, "permission denied")


def page_not_found(request, exception=None):
    return error_response(404, f"no endpoint at {request.path}")


def server_error(request):
    return error_response(500, "internal server error")
