"""The hosted page's shape on this machine: the export, the backend alone, one proxy in front.

What CloudFront does on AWS (infra/components/page/edge.py) is done here by Debian's
nginx, over TLS, on one origin: BACKEND_PATH goes to `reflex run --env prod
--backend-only` (the container's own command, with the environment the task
definition gives it) and everything else to the bucket's stand-in
(tests/support/bucket.py: exact keys after the page-path function's rule, no
directory redirects) holding the very export `pulumi up` uploads. Every process binds 127.0.0.1
and belongs to the caller's Supervisor. The browser tests in tests/hosted/
sign up through it.
"""

from __future__ import annotations

import getpass
import os
import secrets
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx

from contract.rules import PasswordPolicy
from infra.build.page_export import NOT_FOUND_PAGE, StaticSite
from infra.local.ports import NotReady, wait_until
from infra.local.stage import REPO_ROOT, free_port
from infra.local.supervisor import Supervisor
from infra.local.web import WEB_DIR
from signup_web.hosting import (
    BACKEND_ARGS,
    BACKEND_PATH,
    reflex_environment,
    without_reflex_settings,
)
from signup_web.settings import WebSettings

# Unpacked from Debian's package by `make test` (no service is installed).
NGINX: Final = REPO_ROOT / ".tools/nginx/usr/sbin/nginx"
_READY_TIMEOUT: Final = 120.0


class HostedPageError(RuntimeError):
    """A part of the local hosted page is missing, did not start, or exited."""


@dataclass(frozen=True)
class HostedPage:
    """Where the proxy listens; the browser reaches it as https://<hostname>/."""

    hostname: str
    proxy_port: int
    backend_port: int

    @property
    def origin(self) -> str:
        """The page's origin as the browser sees it (port 443, mapped to proxy_port)."""
        return f"https://{self.hostname}"


def backend_command() -> list[str]:
    """web/Dockerfile's CMD, with this interpreter for its `python`."""
    return [sys.executable, *BACKEND_ARGS]


def backend_environment(
    *,
    api_url: str,
    origin: str,
    port: int,
    workdir: Path,
    password_min_length: int,
    client_address_secret: str,
    base: Mapping[str, str],
    trusted_proxy_hops: int = 1,
) -> dict[str, str]:
    """The task definition's environment plus the image's ENV, bound to 127.0.0.1 here.

    One proxy (nginx) stands where CloudFront and the load balancer stand on
    AWS, so one X-Forwarded-For hop is trusted here where the task trusts two.
    """
    page = WebSettings(
        api_url=api_url,
        policy=PasswordPolicy(min_length=password_min_length),
        client_address_secret=client_address_secret,
    )
    return {
        **without_reflex_settings(base),
        # The task definition's (infra/components/page/fargate_service.py), from the same writers.
        **page.to_env(),
        **reflex_environment(
            cors_allowed_origins=origin,
            trusted_proxy_hops=trusted_proxy_hops,
            # The image's (web/Dockerfile), but on loopback rather than 0.0.0.0.
            backend_host="127.0.0.1",
            backend_port=port,
            workdir=str(workdir),
        ),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def nginx_config(
    *,
    prefix: Path,
    port: int,
    static_port: int,
    backend_port: int,
    certificate: Path,
    key: Path,
) -> str:
    """CloudFront's two behaviors and its 403/404 page, as one nginx server."""
    return f"""
user {getpass.getuser()};
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {prefix}/body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
  proxy_max_temp_file_size 0;
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {certificate};
    ssl_certificate_key {key};
    # The backend behavior: uncached, every header, the websocket upgraded.
    location {BACKEND_PATH}/ {{
      proxy_pass http://127.0.0.1:{backend_port};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_buffering off;
      proxy_read_timeout 300s;
    }}
    # The default behavior: the files, a missing one as the export's 404 page.
    location / {{
      proxy_pass http://127.0.0.1:{static_port};
      proxy_intercept_errors on;
      error_page 403 404 =404 {NOT_FOUND_PAGE};
    }}
  }}
}}
"""


def start(
    supervisor: Supervisor,
    *,
    site: StaticSite,
    api_url: str,
    password_min_length: int,
    work_dir: Path,
    hostname: str = "signup.test",
    client_address_secret: str | None = None,
) -> HostedPage:
    """Start the static server, the backend and nginx; return once nginx serves the page."""
    if not NGINX.is_file():
        raise HostedPageError(f"nginx is not unpacked at {NGINX}; `make test` does it")
    work_dir.mkdir(parents=True, exist_ok=True)
    page = HostedPage(hostname=hostname, proxy_port=free_port(), backend_port=free_port())
    static_port = free_port()
    bucket = [sys.executable, "-m", "tests.support.bucket", "--port", str(static_port)]
    supervisor.start(
        "static files",
        [*bucket, "--directory", str(site.root)],
        cwd=REPO_ROOT,
        log_file=work_dir / "static.log",
    )
    environment = backend_environment(
        api_url=api_url,
        origin=page.origin,
        port=page.backend_port,
        workdir=work_dir / ".web",
        password_min_length=password_min_length,
        # The stage's, as ECS hands it over at start (the image never holds
        # one); a fresh one when the API is not told it.
        client_address_secret=client_address_secret or secrets.token_urlsafe(32),
        base=os.environ,
    )
    backend = supervisor.start(
        "web backend",
        backend_command(),
        env=environment,
        cwd=WEB_DIR,
        log_file=work_dir / "backend.log",
    )
    certificate, key = _self_signed(work_dir, hostname)
    config = work_dir / "nginx.conf"
    config.write_text(
        nginx_config(
            prefix=work_dir,
            port=page.proxy_port,
            static_port=static_port,
            backend_port=page.backend_port,
            certificate=certificate,
            key=key,
        )
    )
    nginx = supervisor.start(
        "nginx",
        [str(NGINX), "-p", str(work_dir), "-c", str(config), "-e", str(work_dir / "error.log")],
        log_file=work_dir / "nginx.log",
    )
    for proc, url in (
        (backend, f"http://127.0.0.1:{page.backend_port}{BACKEND_PATH}/ping"),
        (nginx, f"https://127.0.0.1:{page.proxy_port}/"),
    ):
        _wait_until_ready(url, proc, work_dir)
    return page


def _self_signed(work_dir: Path, hostname: str) -> tuple[Path, Path]:
    certificate, key = work_dir / "cert.pem", work_dir / "key.pem"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    command += ["-subj", f"/CN={hostname}", "-addext", f"subjectAltName=DNS:{hostname}"]
    command += ["-keyout", str(key), "-out", str(certificate)]
    subprocess.run(command, check=True, capture_output=True)
    return certificate, key


def _wait_until_ready(url: str, proc: subprocess.Popen[bytes], work_dir: Path) -> None:
    def serves() -> bool:
        try:
            # Only a readiness probe of our own local proxy, whose certificate is self-signed.
            answer = httpx.get(url, timeout=2.0, verify=False)  # noqa: S501 - self-signed local proxy
        except httpx.TransportError:
            return False
        return answer.status_code == 200

    try:
        wait_until(serves, proc=proc, what=f"{url} ({proc.args!r})", timeout=_READY_TIMEOUT)
    except NotReady as exc:
        raise HostedPageError(f"{exc}; see {work_dir}") from exc
