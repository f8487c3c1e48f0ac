"""The local stage as one object: DynamoDB Local, the table, the pepper, the gateway."""

from __future__ import annotations

import importlib
import logging
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from infra.local import dynamodb_local
from infra.local.cors import LOCAL_WEB_ORIGINS, CorsConfig
from infra.local.gateway import GatewayConfig, Handler
from infra.local.pepper import load_or_create_pepper
from infra.local.server import LocalApiServer
from infra.local.supervisor import Supervisor

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class StageOptions:
    """Everything `python -m infra.local` can be told; port 0 means "pick a free one"."""

    api_port: int = 8080
    dynamodb_port: int = 8081
    data_dir: Path = REPO_ROOT / ".local"
    tools_dir: Path = REPO_ROOT / dynamodb_local.DEFAULT_TOOLS_DIR
    handler: str = "backend.handler:handler"
    cors_origins: tuple[str, ...] = LOCAL_WEB_ORIGINS
    table_name: str = "users"
    region: str = "us-east-1"
    integration_timeout: float = 30.0


@dataclass
class LocalStage:
    """Start with `start()`, stop with `stop()`; every child process is supervised."""

    options: StageOptions
    supervisor: Supervisor = field(default_factory=Supervisor)
    api_url: str = ""
    dynamodb_endpoint: str = ""
    _server: LocalApiServer | None = None

    def start(self) -> str:
        """Bring the stage up and return the API's base URL once it accepts requests."""
        opts = self.options
        # The data dir holds the pepper: keep it private to this user.
        opts.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        pepper = load_or_create_pepper(opts.data_dir)
        self.dynamodb_endpoint = dynamodb_local.start(
            self.supervisor,
            tools_dir=opts.tools_dir,
            data_dir=opts.data_dir,
            port=opts.dynamodb_port or free_port(),
        )
        ddb = dynamodb_local.client(self.dynamodb_endpoint, opts.region)
        if dynamodb_local.ensure_table(ddb, opts.table_name):
            log.info("created table %s", opts.table_name)
        configure_lambda_environment(
            table_name=opts.table_name,
            pepper=pepper,
            dynamodb_endpoint=self.dynamodb_endpoint,
            region=opts.region,
        )
        config = GatewayConfig(
            cors=CorsConfig(allow_origins=opts.cors_origins),
            integration_timeout=opts.integration_timeout,
            region=opts.region,
        )
        self._server = LocalApiServer(load_handler(opts.handler), config, opts.api_port)
        self._server.start()
        self.api_url = self._server.url
        return self.api_url

    def crashed(self) -> list[tuple[str, int]]:
        """Children that exited while the stage was meant to be running."""
        return self.supervisor.exited()

    def stop(self) -> None:
        """Stop accepting requests, then stop every child process."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self.supervisor.stop()


def configure_lambda_environment(
    *, table_name: str, pepper: str, dynamodb_endpoint: str, region: str
) -> None:
    """Give this process the environment the Lambda function gets on AWS, pointed at local."""
    # Real credentials, profiles or an SSM pepper name must never reach the
    # local handler: it would talk to a real account.
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "PEPPER_PARAMETER"):
        os.environ.pop(name, None)
    os.environ.update(
        TABLE_NAME=table_name,
        PASSWORD_PEPPER=pepper,
        AWS_ENDPOINT_URL_DYNAMODB=dynamodb_endpoint,
        AWS_REGION=region,
        AWS_DEFAULT_REGION=region,
        AWS_ACCESS_KEY_ID=dynamodb_local.FAKE_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY=dynamodb_local.FAKE_SECRET_ACCESS_KEY,
    )


def load_handler(spec: str) -> Handler:
    """Import `module:function`; done after the environment is set, as on a cold start."""
    module_name, _, attr = spec.partition(":")
    if not attr:
        raise ValueError(f"handler must look like module:function, got {spec!r}")
    return cast(Handler, getattr(importlib.import_module(module_name), attr))


def free_port() -> int:
    """A port that is free on 127.0.0.1 right now (the OS may reuse it later; rare)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
