"""The JSON login flow (CSRF stays on) and the JSON error handlers."""

import pytest
from django.test import AsyncClient, Client

from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def csrf_client() -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    token = client.get("/auth/csrf/").json()["csrfToken"]
    return client, token


def test_login_with_csrf_token_then_whoami(seeded):
    client, token = csrf_client()
    response = client.post(
        "/auth/login/", {"username": "editor", "password": TEST_PASSWORD}, content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )  # fmt: skip
    assert response.json() == {"username": "editor", "is_staff": True}
    assert client.get("/auth/whoami/").json() == {"authenticated": True, "username": "editor"}


def test_login_without_csrf_token_is_refused_as_json(seeded):
    client, _ = csrf_client()
    response = client.post(
        "/auth/login/", {"username": "editor", "password": TEST_PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"].startswith("CSRF check failed")


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"username": "editor", "password": "wrong"}, 401, "wrong username or password"),
        ({"username": "nobody", "password": "x"}, 401, "wrong username or password"),
        ({"username": "editor"}, 400, "username and password are required strings"),
        ({"username": 1, "password": 2}, 400, "username and password are required strings"),
        ("not an object", 400, "the body must be a JSON object"),
    ],
)
def test_bad_logins_get_a_clear_4xx(seeded, body, status, message):
    client, token = csrf_client()
    response = client.post("/auth/login/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert (response.status_code, response.json()) == (status, {"error": message})


def test_a_session_write_without_csrf_token_is_refused_after_login(seeded):
    client, token = csrf_client()
    client.post(
        "/auth/login/", {"username": "editor", "password": TEST_PASSWORD}, content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )  # fmt: skip
    response = client.post("/articles/async/article-41/publish/")  # logged in, but no X-CSRFToken
    assert response.status_code == 403


async def test_logout_forgets_the_user(seeded):
    client = AsyncClient()
    await client.alogin(username="editor", password=TEST_PASSWORD)
    assert (await client.get("/auth/whoami/")).json()["authenticated"] is True
    assert (await client.post("/auth/logout/")).json() == {"logged_out": True}
    assert (await client.get("/auth/whoami/")).json() == {"authenticated": False, "username": ""}


def test_login_rejects_get(client):
    response = client.get("/auth/login/")
    assert response.status_code == 405
    assert response.json()["allowed"] == ["POST"]


def test_unknown_url_is_json_404_without_debug(client, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    assert (response.status_code, response.json()) == (404, {"error": "no endpoint at /no/such/page/"})


def test_disallowed_host_is_json_400_without_debug(client, settings):
    settings.DEBUG = False
    response = client.get("/async-hello/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response.json() == {"error": "this server does not serve the host named in the Host header"}
