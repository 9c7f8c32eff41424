"""nginx in front of a LiveServer: it proxies, it is stopped with its folder when its block ends however it ends, and
a machine without nginx is told how to get it."""

import os
import socket
import time
from urllib.parse import urlsplit

import psutil
import pytest

from liveproject import LiveServer
from liveproject import proxy as proxy_module
from liveproject.proxy import INSTALL_HINT, NginxMissing, ReverseProxy, nginx_path

pytestmark = pytest.mark.live  # every test here starts a server

needs_nginx = pytest.mark.skipif(
    nginx_path() is None and not os.environ.get("COURSE_CI_RUN"),  # in CI the test runs, and fails without nginx
    reason=f"no nginx here: {INSTALL_HINT}",
)


def port_is_free(url: str) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", urlsplit(url).port)) != 0


@pytest.fixture(scope="module")
def server():
    with LiveServer("uvicorn") as server:
        yield server


@needs_nginx
def test_requests_go_through_nginx_to_the_server_and_nothing_is_left_after_the_block(server):
    with ReverseProxy(server, ["proxy_read_timeout 5s;"]) as proxy:
        answer = proxy.client.get("/ping/async/")
        pid, folder, url = proxy._process.pid, proxy._folder, proxy.url
        assert "proxy_read_timeout 5s;" in (folder / "nginx.conf").read_text()
        assert repr(proxy) == "<ReverseProxy nginx running>"
    assert answer.status_code == 200
    assert answer.json() == server.client.get("/ping/async/").json()
    assert answer.headers["server"].startswith("nginx")  # nginx answered, with the server's body
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert not folder.exists()
    assert port_is_free(url)
    assert repr(proxy) == "<ReverseProxy nginx stopped>"


@needs_nginx
def test_upstream_directives_shape_the_connections_to_the_server(server):
    port = urlsplit(server.url).port
    with ReverseProxy(server, upstream_directives=["keepalive_timeout 300ms;"]) as proxy:
        assert "keepalive_timeout 300ms;" in (proxy._folder / "nginx.conf").read_text()
        assert proxy.pid == proxy._process.pid
        proxy.client.get("/ping/async/")

        def to_server():
            return [c for c in psutil.Process(proxy.pid).net_connections("tcp") if c.raddr and c.raddr.port == port]

        assert len(to_server()) == 1  # kept alive after the answer
        deadline = time.monotonic() + 3  # far below uvicorn's 5 s: nginx closes its idle connection first
        while to_server() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert to_server() == []
    assert proxy.pid is None


@needs_nginx
def test_a_failure_inside_the_block_stops_nginx(server):
    with pytest.raises(ZeroDivisionError), ReverseProxy(server) as proxy:  # noqa: PT012 - the failure is the point
        url = proxy.url
        1 / 0  # noqa: B018
    assert not proxy.running
    assert port_is_free(url)


@needs_nginx
def test_a_configuration_nginx_refuses_fails_with_its_log_and_leaves_nothing(server):
    with pytest.raises(RuntimeError, match="unknown directive"):
        ReverseProxy(server, ["no_such_directive on;"]).start()


def test_without_nginx_the_error_says_how_to_install_it(server, monkeypatch):
    monkeypatch.setattr(proxy_module, "nginx_path", lambda: None)
    with pytest.raises(NginxMissing, match="apt-get install nginx"):
        ReverseProxy(server).start()


@needs_nginx
def test_a_tls_proxy_speaks_https_and_forwards_who_asked(server):
    with ReverseProxy(server, tls=True) as proxy, proxy.client_from("127.0.0.2") as client:
        assert proxy.url.startswith("https://")
        seen = client.get("/where/client/").json()
    # uvicorn trusts X-Forwarded-* from 127.0.0.1, where the proxy runs: Django sees the client and its scheme
    assert seen == {"scheme": "https", "secure": True, "client": "127.0.0.2"}


@needs_nginx
def test_a_server_that_trusts_no_proxy_headers_sees_the_proxy():
    with LiveServer("uvicorn", args=["--no-proxy-headers"]) as blind, ReverseProxy(blind, tls=True) as proxy:
        seen = proxy.client.get("/where/client/").json()
    assert seen == {"scheme": "http", "secure": False, "client": "127.0.0.1"}
