"""The local stage as one object: DynamoDB Local, the table, the pepper, the gateway."""

from __future__ import annotations

import dataclasses
import importlib
import logging
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, cast

from backend.config import Settings
from backend.handler import create_handler
from backend.mail_worker import create_worker
from backend.messages import RESET, VERIFICATION, Mail
from contract.environment import (
    ACCESS_TOKEN_SECONDS,
    BCRYPT_COST,
    PASSWORD_MIN_LENGTH,
    PASSWORD_MIN_SCORE,
    RATE_LIMIT_MAILS_PER_ADDRESS,
    RATE_LIMIT_PER_ADDRESS,
    RATE_LIMIT_PER_IDENTIFIER,
    RATE_LIMIT_PER_IDENTIFIER_GLOBAL,
    RATE_LIMIT_SIGN_IN_FAILURES,
    RATE_LIMIT_SIGN_IN_FAILURES_GLOBAL,
    REFRESH_TOKEN_SECONDS,
    RESET_TTL_SECONDS,
    TOKEN_AUDIENCE,
    VERIFICATION_TTL_SECONDS,
)
from contract.signing import SigningAlgorithm
from infra.components.function_settings import stage_settings
from infra.local import dynamodb_local
from infra.local.authorizer import JwtAuthorizer
from infra.local.console import mail_line
from infra.local.cors import LOCAL_WEB_ORIGINS, CorsConfig
from infra.local.gateway import GatewayConfig, Handler
from infra.local.secrets import (
    CLIENT_ADDRESS_SECRET_FILE,
    load_or_create_pepper,
    load_or_create_secret,
)
from infra.local.server import LocalApiServer
from infra.local.signing_key import load_or_create_signer
from infra.local.streams import StreamPoller
from infra.local.supervisor import Supervisor
from infra.local.table_setup import ensure_table, stream_arn
from infra.stack.schema import StageConfig, read_stack_file

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
# The function's variables a developer may set for the local stage (e.g.
# BCRYPT_COST=4 for fast tests, VERIFICATION_TTL_SECONDS=5 to watch a link
# expire), each printed at start when set; the rest is the dev stack's policy
# (Pulumi.dev.yaml) plus the local plumbing (table, pepper, DynamoDB Local's
# endpoint, the mail outbox, the page's URL).
PASSED_THROUGH: Final = (
    BCRYPT_COST,
    PASSWORD_MIN_LENGTH,
    VERIFICATION_TTL_SECONDS,
    RESET_TTL_SECONDS,
    RATE_LIMIT_PER_ADDRESS,
    RATE_LIMIT_PER_IDENTIFIER,
    RATE_LIMIT_PER_IDENTIFIER_GLOBAL,
    RATE_LIMIT_MAILS_PER_ADDRESS,
    PASSWORD_MIN_SCORE,
    # Signing in (e.g. RATE_LIMIT_SIGN_IN_FAILURES=1000/60 to time many guesses).
    RATE_LIMIT_SIGN_IN_FAILURES,
    RATE_LIMIT_SIGN_IN_FAILURES_GLOBAL,
    ACCESS_TOKEN_SECONDS,
    REFRESH_TOKEN_SECONDS,
    TOKEN_AUDIENCE,
)
# The local stage's audience unless TOKEN_AUDIENCE says otherwise.
LOCAL_AUDIENCE: Final = "signup-local"
MAIL_DIR: Final = "mail"
DEV_STACK_FILE: Final = "Pulumi.dev.yaml"


@dataclass(frozen=True)
class StageOptions:
    """Everything `python -m infra.local` can be told; port 0 means "pick a free one"."""

    api_port: int = 8080
    dynamodb_port: int = 8081
    data_dir: Path = REPO_ROOT / ".local"
    tools_dir: Path = REPO_ROOT / dynamodb_local.DEFAULT_TOOLS_DIR
    # Another `module:function` to serve instead of the backend (tests use probes).
    handler: str | None = None
    cors_origins: tuple[str, ...] = LOCAL_WEB_ORIGINS
    table_name: str = "users"
    region: str = "us-east-1"
    integration_timeout: float = 30.0
    # Where verification links point: the local web UI.
    web_url: str = "http://localhost:3000"
    # The stage whose policy (password minimum, bcrypt cost, limits, TTLs) this runs.
    stack_file: Path = REPO_ROOT / DEV_STACK_FILE


def local_settings(
    *,
    stage: StageConfig,
    table_name: str,
    pepper: str,
    dynamodb_endpoint: str,
    env: Mapping[str, str],
    web_url: str = StageOptions.web_url,
    outbox: Path | None = None,
    client_address_secret: str | None = None,
    token_issuer: str | None = None,
) -> Settings:
    """The function's settings on this machine: the stack file's policy through the same
    translation the AWS program uses, the local plumbing, then `env`'s overrides."""
    base = stage_settings(
        stage,
        table_name=table_name,
        pepper_value=pepper,
        dynamodb_endpoint=dynamodb_endpoint,
        web_url=web_url,
        mail_outbox_dir=str(outbox) if outbox else None,
        client_address_secret_value=client_address_secret,
        token_issuer=token_issuer,
        token_audience=LOCAL_AUDIENCE,
    )
    return Settings.from_env({**base.to_env(), **overrides(env)})


def overrides(env: Mapping[str, str]) -> dict[str, str]:
    """The function's variables set in `env` that the local stage passes through."""
    return {name: env[name] for name in PASSED_THROUGH if env.get(name)}


@dataclass
class LocalStage:
    """Start with `start()`, stop with `stop()`; every child process is supervised."""

    options: StageOptions
    supervisor: Supervisor = field(default_factory=Supervisor)
    api_url: str = ""
    dynamodb_endpoint: str = ""
    # Shared with the local web UI, which forwards browsers' addresses with it.
    client_address_secret: str = field(default="", repr=False)
    _settings: Settings | None = None
    _server: LocalApiServer | None = None
    _poller: StreamPoller | None = None

    @property
    def settings(self) -> Settings:
        """The function's settings, known once the stage has started."""
        if self._settings is None:
            raise RuntimeError("the local stage has not started")
        return self._settings

    def start(self) -> str:
        """Bring the stage up and return the API's base URL once it accepts requests."""
        opts = self.options
        # The data dir holds the pepper: keep it private to this user.
        opts.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        pepper = load_or_create_pepper(opts.data_dir)
        self.client_address_secret = load_or_create_secret(
            opts.data_dir, CLIENT_ADDRESS_SECRET_FILE
        )
        self.dynamodb_endpoint = dynamodb_local.start(
            self.supervisor,
            tools_dir=opts.tools_dir,
            data_dir=opts.data_dir,
            port=opts.dynamodb_port or free_port(),
        )
        ddb = dynamodb_local.client(self.dynamodb_endpoint, opts.region)
        if ensure_table(ddb, opts.table_name):
            log.info("created table %s", opts.table_name)
        config = GatewayConfig(
            cors=CorsConfig(allow_origins=opts.cors_origins),
            integration_timeout=opts.integration_timeout,
            region=opts.region,
        )
        stage = read_stack_file(opts.stack_file)
        # The handler reads its settings on the first request: by then the
        # bound port, and so the issuer URL (the API's own), is known.
        handler = self._handler(lambda: self.settings, stage.tokens.algorithm)
        self._server = LocalApiServer(handler, config, opts.api_port)
        self._settings = local_settings(
            stage=stage,
            table_name=opts.table_name,
            pepper=pepper,
            dynamodb_endpoint=self.dynamodb_endpoint,
            env=os.environ,
            web_url=opts.web_url,
            outbox=self.outbox,
            client_address_secret=self.client_address_secret,
            token_issuer=self._server.url,
        )
        # The stand-in for the JWT authorizer that fronts GET /me on AWS.
        self._server.app.config = dataclasses.replace(
            config,
            authorizer=JwtAuthorizer(
                self._server.url,
                self._settings.token_audience,
                self._settings.token_algorithm.name,
            ),
        )
        self._poller = self._mail_worker(self._settings, stream_arn(ddb, opts.table_name))
        self._poller.start()
        self._server.start()
        self.api_url = self._server.url
        return self.api_url

    @property
    def outbox(self) -> Path:
        """Where the function writes each mail as an .eml file, instead of sending it."""
        return self.options.data_dir / MAIL_DIR

    def _handler(self, settings: Callable[[], Settings], algorithm: SigningAlgorithm) -> Handler:
        if self.options.handler:
            return load_handler(self.options.handler)
        # Handed its settings and a session with fake credentials: nothing is
        # written into this process's environment. No KMS here: the data
        # directory's key signs the tokens instead.
        session = dynamodb_local.local_session(self.options.region)
        signer = load_or_create_signer(self.options.data_dir, algorithm)
        return create_handler(settings, session=session, signer=signer)

    def _mail_worker(self, settings: Settings, arn: str) -> StreamPoller:
        # The same worker as on AWS, fed from DynamoDB Local's stream.
        session = dynamodb_local.local_session(self.options.region)
        worker = create_worker(lambda: settings, session=session, announce=announce_link)
        streams = session.client("dynamodbstreams", endpoint_url=self.dynamodb_endpoint)
        return StreamPoller(streams, arn, worker, self.options.region)

    def crashed(self) -> list[tuple[str, int]]:
        """Children that exited while the stage was meant to be running."""
        return self.supervisor.exited()

    def stop(self) -> None:
        """Stop accepting requests, then stop every child process."""
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._poller is not None:
            self._poller.stop()
            self._poller = None
        self.supervisor.stop()


def announce_link(mail: Mail) -> None:
    """Print a verification or reset mail's link: `make dev` needs no mail server to follow it."""
    if mail.kind in (VERIFICATION, RESET):
        # The stage's console output, not a log: this line is the point.
        print(mail_line(mail.to, mail.link or ""), flush=True)  # noqa: T201


def load_handler(spec: str) -> Handler:
    """Import `module:function`."""
    module_name, _, attr = spec.partition(":")
    if not attr:
        raise ValueError(f"handler must look like module:function, got {spec!r}")
    return cast(Handler, getattr(importlib.import_module(module_name), attr))


def free_port() -> int:
    """A port that is free on 127.0.0.1 right now (the OS may reuse it later; rare)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
