"""The whole stage: table, secrets, functions, API, alarms and page, from one StageConfig."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pulumi

from contract.routes import CREATE_USER, JWKS, SERVICE_NAME
from infra.build.lambda_zip import build_artifact
from infra.build.page_export import build_site
from infra.components.alarms import ServiceAlarms, ServiceAlarmsArgs
from infra.components.api_function import SignupFunction, SignupFunctionArgs
from infra.components.boundary import boundary_arn
from infra.components.http_api import SignupApi, SignupApiArgs
from infra.components.mail_worker import MailWorker, MailWorkerArgs
from infra.components.page import SignupWeb, SignupWebArgs
from infra.components.signing_key import TokenSigningKey, TokenSigningKeyArgs
from infra.components.stage_mail import StageMail, StageMailArgs
from infra.components.stage_secret import Pepper, PepperArgs, StageSecret, StageSecretArgs
from infra.components.users_table import UsersTable, UsersTableArgs
from infra.stack.schema import StageConfig

SERVICE = SERVICE_NAME


@dataclass(frozen=True)
class SignupServiceArgs:
    """The stage's policy, its secrets and the checkout holding `backend/` and `web/`."""

    config: StageConfig
    pepper: pulumi.Output[str]
    source_root: Path
    client_address_secret: pulumi.Output[str]


class SignupService(pulumi.ComponentResource):
    """Everything one stage of the registration service needs on AWS."""

    api_url: pulumi.Output[str]
    create_user_url: pulumi.Output[str]
    table_name: pulumi.Output[str]
    function_name: pulumi.Output[str]
    # The mail worker's function and the queue describing mails it gave up on.
    mail_worker_function_name: pulumi.Output[str]
    mail_failures_queue_url: pulumi.Output[str]
    mail_identity: pulumi.Output[str]
    mail_dns_records: pulumi.Output[list[dict[str, str]]]
    # The stage's client-address secret: the web server sends it, the function checks it.
    client_address_secret_name: pulumi.Output[str]
    client_address_secret_arn: pulumi.Output[str]
    client_address_secret_key_arn: pulumi.Output[str]
    # The stage as an issuer of access tokens.
    issuer_url: pulumi.Output[str]
    jwks_url: pulumi.Output[str]
    audience: str
    web: SignupWeb | None

    def __init__(
        self, name: str, args: SignupServiceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("signup:infra:SignupService", name, None, opts)
        cfg = args.config
        tags = {"service": SERVICE, "stage": cfg.stage, "managed-by": "pulumi"}
        child = pulumi.ResourceOptions(parent=self)
        # Every role this stage creates carries it (docs/deploy-role.md).
        boundary = boundary_arn(cfg.permissions_boundary)
        table = UsersTable(
            f"{name}-users",
            UsersTableArgs(
                point_in_time_recovery=cfg.point_in_time_recovery,
                deletion_protection=cfg.deletion_protection,
                retain_on_delete=cfg.retain_on_delete,
                tags=tags,
            ),
            child,
        )
        pepper = Pepper(
            f"{name}-pepper",
            PepperArgs(
                parameter_name=f"/{SERVICE}/{cfg.stage}/pepper", value=args.pepper, tags=tags
            ),
            child,
        )
        mail = StageMail(
            f"{name}-mail",
            StageMailArgs(sender=cfg.mail_from, domain=cfg.mail_domain, tags=tags),
            child,
        )
        secret = StageSecret(
            f"{name}-client-address-secret",
            StageSecretArgs(
                parameter_name=f"/{SERVICE}/{cfg.stage}/client-address-secret",
                value=args.client_address_secret,
                description="Vouches for the client address the web server forwards to the API",
                tags=tags,
            ),
            child,
        )
        # The page needs the API's URL and the API (its CORS origins, the
        # function's WEB_URL) needs the page's: the page takes the API's URL
        # as a deferred output, resolved once the API exists. No resource
        # waits on itself: the distribution never needs the API.
        deferred: tuple[pulumi.Output[str], Callable[[pulumi.Output[str]], None]]
        deferred = pulumi.deferred_output()
        api_url, resolve_api_url = deferred
        self.web = (
            self._create_web(name, args, secret, api_url, tags, boundary=boundary)
            if cfg.web.enabled
            else None
        )
        web_url = self.web.url if self.web else None
        # The signing key's policy names the function's role, and the function
        # names the key: the keys' ARNs are deferred until both exist.
        deferred_key: tuple[pulumi.Output[str], Callable[[pulumi.Output[str]], None]]
        deferred_key = pulumi.deferred_output()
        signing_key_arn, resolve_signing_key_arn = deferred_key
        # During a rotation, the previous key too (a deferred output must be resolved).
        previous: tuple[pulumi.Output[str], Callable[[pulumi.Output[str]], None]] | None = (
            pulumi.deferred_output() if len(cfg.tokens.signing_keys) > 1 else None
        )
        function = SignupFunction(
            f"{name}-create-user",
            SignupFunctionArgs(
                artifact=build_artifact(
                    source_root=args.source_root, architecture=cfg.architecture
                ),
                stage=cfg,
                table_name=table.table.name,
                table_arn=table.table.arn,
                owner_index_arn=table.owner_index_arn,
                pepper_parameter_name=pepper.parameter.name,
                pepper_parameter_arn=pepper.parameter.arn,
                pepper_key_arn=pepper.key.arn,
                mail_identity_arn=mail.identity.arn,
                mail_configuration_set_name=mail.configuration_set.configuration_set_name,
                mail_configuration_set_arn=mail.configuration_set.arn,
                mail_from_address=mail.from_address,
                client_address_secret_parameter_name=secret.parameter.name,
                client_address_secret_parameter_arn=secret.parameter.arn,
                client_address_secret_key_arn=secret.key.arn,
                tags=tags,
                # Verification links open the hosted page, or (without one)
                # the page the team serves at its first CORS origin.
                web_url=web_url or cfg.cors_origins[0],
                signing_key_arn=signing_key_arn,
                previous_signing_key_arn=previous[0] if previous else None,
                # The stage is its tokens' issuer: the API's own URL.
                token_issuer=api_url,
                permissions_boundary=boundary,
            ),
            child,
        )
        # Mail leaves the request path: the worker runs the same code with the
        # same environment and sends what the API's transactions record.
        mail_worker = MailWorker(
            f"{name}-mail-worker",
            MailWorkerArgs(function=function.args, stream_arn=table.stream_arn),
            child,
        )
        signing_key = TokenSigningKey(
            f"{name}-token-signing",
            TokenSigningKeyArgs(
                signer_role_arn=function.role.arn,
                tags=tags,
                generations=cfg.tokens.signing_keys,
                algorithm=cfg.tokens.algorithm,
            ),
            child,
        )
        resolve_signing_key_arn(signing_key.key.arn)
        if previous is not None and signing_key.previous is not None:
            previous[1](signing_key.previous.arn)
        api = SignupApi(
            f"{name}-api",
            SignupApiArgs(
                function_arn=function.function.arn,
                function_name=function.function.name,
                cors_origins=[*cfg.cors_origins, *([web_url] if web_url else [])],
                throttle_rate_limit=cfg.throttle_rate_limit,
                throttle_burst_limit=cfg.throttle_burst_limit,
                log_retention_days=cfg.log_retention_days,
                tags=tags,
                token_audience=cfg.tokens.audience,
            ),
            child,
        )
        ServiceAlarms(
            f"{name}-alarms",
            ServiceAlarmsArgs(
                api_id=api.api.id,
                function_name=function.function.name,
                mail_worker_function_name=mail_worker.worker.function.name,
                mail_failures_queue_name=mail_worker.failures_queue.name,
                service=SERVICE,
                thresholds=cfg.alarms,
                tags=tags,
            ),
            child,
        )
        resolve_api_url(api.url)
        self.api_url = api.url
        self.create_user_url = pulumi.Output.concat(api.url, CREATE_USER.path)
        self.table_name = table.table.name
        self.function_name = function.function.name
        self.mail_worker_function_name = mail_worker.worker.function.name
        self.mail_failures_queue_url = mail_worker.failures_queue.url
        self.mail_identity = mail.identity.email_identity
        self.mail_dns_records = mail.dns_records
        self.client_address_secret_name = secret.parameter.name
        self.client_address_secret_arn = secret.parameter.arn
        self.client_address_secret_key_arn = secret.key.arn
        # What a team's own API Gateway JWT authorizer is configured with (README).
        self.issuer_url = api.url
        self.jwks_url = pulumi.Output.concat(api.url, JWKS.path)
        self.audience = cfg.tokens.audience
        self.register_outputs(
            {
                "apiUrl": self.api_url,
                "createUserUrl": self.create_user_url,
                "tableName": self.table_name,
                "functionName": self.function_name,
                "mailWorkerFunctionName": self.mail_worker_function_name,
                "mailFailuresQueueUrl": self.mail_failures_queue_url,
                "mailIdentity": self.mail_identity,
                "mailDnsRecords": self.mail_dns_records,
                "clientAddressSecretName": self.client_address_secret_name,
                "issuerUrl": self.issuer_url,
                "jwksUrl": self.jwks_url,
                "audience": self.audience,
                **({"webUrl": self.web.url} if self.web else {}),
            }
        )

    def _create_web(
        self,
        name: str,
        args: SignupServiceArgs,
        secret: StageSecret,
        api_url: pulumi.Output[str],
        tags: dict[str, str],
        *,
        boundary: pulumi.Output[str],
    ) -> SignupWeb:
        cfg = args.config
        return SignupWeb(
            f"{name}-web",
            SignupWebArgs(
                stage=cfg,
                site=build_site(
                    source_root=args.source_root,
                    password_min_length=cfg.password_min_length,
                    wording=cfg.web.page_settings(),
                ),
                source_root=args.source_root,
                api_url=api_url,
                secret_parameter_arn=secret.parameter.arn,
                secret_key_arn=secret.key.arn,
                tags=tags,
                permissions_boundary=boundary,
            ),
            pulumi.ResourceOptions(parent=self),
        )
