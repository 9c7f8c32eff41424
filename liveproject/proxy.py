"""nginx in front of a LiveServer, as a reverse proxy in production stands in front of the ASGI server.

    with LiveServer() as server, ReverseProxy(server, ["proxy_read_timeout 2s;"]) as proxy:
        proxy.client.get("/where/async/")   # through nginx
    with LiveServer() as server, ReverseProxy(server, tls=True) as proxy, proxy.client_from("127.0.0.2") as client:
        client.get("/where/client/")        # HTTPS to nginx, from another address; nginx to the server in plain HTTP

The proxy is Debian's nginx (`apt-get install nginx`; the noxfile installs it where it may, as CI does), run in the
foreground as one process with its configuration, logs and temporary files in a folder of its own, and stopped
with that folder removed when the block ends, however it ends. Where nginx is not installed, start() raises
NginxMissing with the command that installs it.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from liveproject import processes

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import IO

    from liveproject.server import LiveServer

INSTALL_HINT = "nginx is not installed: apt-get install nginx (as root; `nox` does it where it may)"
TIMEOUT = httpx.Timeout(10.0)

# What every proxy here does, as a production configuration would: HTTP/1.1 with kept-alive connections to the
# server, the client's Host header as it came (port included: $host would drop it), and the X-Forwarded-* headers
# that say who the client was and which scheme it used.
_CONFIG = """\
daemon off;
master_process off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream app {{
        server {upstream};
        keepalive 16;
{upstream_directives}
    }}
    server {{
        listen 127.0.0.1:{port}{ssl};
{tls}
        location / {{
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
{directives}
        }}
    }}
}}
"""


class NginxMissing(RuntimeError):
    pass


def nginx_path() -> str | None:
    return shutil.which("nginx") or next((path for path in ("/usr/sbin/nginx",) if Path(path).is_file()), None)


class ReverseProxy:
    def __init__(
        self,
        server: LiveServer,
        directives: Sequence[str] = (),
        *,
        tls: bool = False,
        upstream_directives: Sequence[str] = (),
    ) -> None:
        """`directives`: lines added to the proxy's `location /` block, e.g. "proxy_read_timeout 2s;" or
        "proxy_ignore_headers X-Accel-Buffering;".
        `upstream_directives`: lines added to its `upstream` block, the connections to the server, e.g.
        "keepalive_timeout 4s;" (how long nginx keeps an idle connection to the server open; 60 s by default).
        `tls`: the proxy speaks HTTPS (a self-signed certificate made for it) and the server plain HTTP behind it,
        as where a proxy terminates TLS; its clients do not verify the certificate."""
        self.server = server
        self.directives = list(directives)
        self.upstream_directives = list(upstream_directives)
        self.tls = tls
        self.url: str | None = None
        self.client: httpx.Client | None = None
        self._process: subprocess.Popen | None = None
        self._folder: Path | None = None
        self._log_file: IO[bytes] | None = None

    def start(self) -> ReverseProxy:
        nginx = nginx_path()
        if nginx is None:
            raise NginxMissing(INSTALL_HINT)
        if self.server.url is None:
            raise RuntimeError("start the server before its proxy")
        self._folder = processes.scratch_folder("nginx")
        try:
            for _ in range(3):  # nginx binds its own port: another process may take a free port before it does
                if self._launch(nginx):
                    break
            else:
                raise RuntimeError(f"nginx did not start; its log ends with:\n{self.log_text()[-2000:]}")
        except BaseException:
            self.stop()
            raise
        return self

    def _launch(self, nginx: str) -> bool:
        assert self._folder is not None
        assert self.server.url is not None
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        upstream = self.server.url.removeprefix("http://")
        directives = "\n".join(f"            {line}" for line in self.directives)
        upstream_directives = "\n".join(f"        {line}" for line in self.upstream_directives)
        tls = ""
        if self.tls:
            tls = (
                f"        ssl_certificate {self._certificate()};\n"
                f"        ssl_certificate_key {self._folder / 'key.pem'};"
            )
        config = self._folder / "nginx.conf"
        config.write_text(
            _CONFIG.format(
                folder=self._folder,
                upstream=upstream,
                port=port,
                directives=directives,
                upstream_directives=upstream_directives,
                ssl=" ssl" if self.tls else "",
                tls=tls,
            )
        )
        if self._log_file is None:
            self._log_file = open(self._folder / "nginx.out", "ab")  # noqa: SIM115 - closed in stop()
        self._process = process = processes.spawn(
            [nginx, "-c", str(config), "-p", str(self._folder), "-e", str(self._folder / "error.log")],
            cwd=self._folder,
            env={"PATH": "/usr/sbin:/usr/bin:/bin"},
            log_file=self._log_file,
            tie_to_this_thread=threading.current_thread() is threading.main_thread(),
        )
        self.url = f"{'https' if self.tls else 'http'}://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        with httpx.Client(base_url=self.url, timeout=2.0, verify=False) as probe_client:
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    self._process = None
                    return False  # the port was taken, or the configuration is wrong: the log says which
                try:
                    probe_client.get("/ping/async/")
                except httpx.TransportError:
                    time.sleep(0.02)
                    continue
                self.client = httpx.Client(base_url=self.url, timeout=TIMEOUT, verify=False)
                return True
        raise RuntimeError(f"nginx was not ready after 10 s; its log ends with:\n{self.log_text()[-2000:]}")

    def _certificate(self) -> Path:
        """A self-signed certificate for 127.0.0.1, valid for a day, made once per proxy by openssl."""
        assert self._folder is not None
        certificate = self._folder / "cert.pem"
        if not certificate.is_file():
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                 "-keyout", str(self._folder / "key.pem"), "-out", str(certificate)],
                check=True, capture_output=True, timeout=30,
            )  # fmt: skip
        return certificate

    @property
    def pid(self) -> int | None:
        """nginx's process id while it runs (one process: no master, no workers of its own)."""
        return self._process.pid if self._process is not None else None

    def client_from(self, address: str) -> httpx.Client:
        """A new client of the proxy whose connections come from `address` (any 127.x.y.z on Linux), so that the
        client's address can be told from the proxy's own 127.0.0.1. Close it, or use it in a with block."""
        if self.url is None:
            raise RuntimeError("the proxy is not running")
        transport = httpx.HTTPTransport(local_address=address, verify=False)
        return httpx.Client(base_url=self.url, timeout=TIMEOUT, transport=transport)

    def stop(self) -> None:
        """Stop nginx and remove its folder. Safe to repeat."""
        process, self._process = self._process, None
        if self.client is not None:
            self.client.close()
            self.client = None
        if process is not None:
            processes.stop_tree(process)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def log_text(self) -> str:
        """nginx's error log (its info lines included): what it did with each connection it cut."""
        if self._folder is None:
            return ""
        return "".join(
            path.read_text(errors="replace")
            for path in (self._folder / "error.log", self._folder / "nginx.out")
            if path.is_file()
        )

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> ReverseProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:  # no port: reprs end up in notebook outputs
        return f"<ReverseProxy nginx {'running' if self.running else 'stopped'}>"
