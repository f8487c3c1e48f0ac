"""The whole stage: table, secrets, function, API, alarms and page, from one StageConfig."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pulumi

from contract.routes import CREATE_USER, SERVICE_NAME
from infra.alarms import ServiceAlarms, ServiceAlarmsArgs
from infra.api import SignupApi, SignupApiArgs
from infra.artifact import build_artifact
from infra.boundary import boundary_arn
from infra.config import StageConfig
from infra.function import SignupFunction, SignupFunctionArgs
from infra.mail import StageMail, StageMailArgs
from infra.pepper import Pepper, PepperArgs, StageSecret, StageSecretArgs
from infra.table import UsersTable, UsersTableArgs
from infra.web import SignupWeb, SignupWebArgs
from infra.web.site import build_site

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
    mail_identity: pulumi.Output[str]
    mail_dns_records: pulumi.Output[list[dict[str, str]]]
    # The stage's client-address secret: the web server sends it, the function checks it.
    client_address_secret_name: pulumi.Output[str]
    client_address_secret_arn: pulumi.Output[str]
    client_address_secret_key_arn: pulumi.Output[str]
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
        function = SignupFunction(
            f"{name}-create-user",
            SignupFunctionArgs(
                artifact=build_artifact(
                    source_root=args.source_root, architecture=cfg.architecture
                ),
                stage=cfg,
                table_name=table.table.name,
                table_arn=table.table.arn,
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
                permissions_boundary=boundary,
            ),
            child,
        )
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
            ),
            child,
        )
        ServiceAlarms(
            f"{name}-alarms",
            ServiceAlarmsArgs(
                api_id=api.api.id,
                function_name=function.function.name,
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
        self.mail_identity = mail.identity.email_identity
        self.mail_dns_records = mail.dns_records
        self.client_address_secret_name = secret.parameter.name
        self.client_address_secret_arn = secret.parameter.arn
        self.client_address_secret_key_arn = secret.key.arn
        self.register_outputs(
            {
                "apiUrl": self.api_url,
                "createUserUrl": self.create_user_url,
                "tableName": self.table_name,
                "functionName": self.function_name,
                "mailIdentity": self.mail_identity,
                "mailDnsRecords": self.mail_dns_records,
                "clientAddressSecretName": self.client_address_secret_name,
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
