"""The whole stage: table, pepper, function, API and alarms wired from one StageConfig."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pulumi

from backend.routes import CREATE_USER, SERVICE_NAME
from infra.alarms import ServiceAlarms, ServiceAlarmsArgs
from infra.api import SignupApi, SignupApiArgs
from infra.artifact import build_artifact
from infra.config import StageConfig
from infra.function import SignupFunction, SignupFunctionArgs
from infra.mail import StageMail, StageMailArgs
from infra.pepper import Pepper, PepperArgs
from infra.table import UsersTable, UsersTableArgs

SERVICE = SERVICE_NAME


@dataclass(frozen=True)
class SignupServiceArgs:
    """The stage's policy, its pepper and the checkout holding `backend/`."""

    config: StageConfig
    pepper: pulumi.Output[str]
    source_root: Path


class SignupService(pulumi.ComponentResource):
    """Everything one stage of the registration service needs on AWS."""

    api_url: pulumi.Output[str]
    create_user_url: pulumi.Output[str]
    table_name: pulumi.Output[str]
    function_name: pulumi.Output[str]
    mail_identity: pulumi.Output[str]
    mail_dns_records: pulumi.Output[list[dict[str, str]]]

    def __init__(
        self, name: str, args: SignupServiceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("signup:infra:SignupService", name, None, opts)
        cfg = args.config
        tags = {"service": SERVICE, "stage": cfg.stage, "managed-by": "pulumi"}
        child = pulumi.ResourceOptions(parent=self)
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
                tags=tags,
            ),
            child,
        )
        api = SignupApi(
            f"{name}-api",
            SignupApiArgs(
                function_arn=function.function.arn,
                function_name=function.function.name,
                cors_origins=cfg.cors_origins,
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
        self.api_url = api.url
        self.create_user_url = pulumi.Output.concat(api.url, CREATE_USER.path)
        self.table_name = table.table.name
        self.function_name = function.function.name
        self.mail_identity = mail.identity.email_identity
        self.mail_dns_records = mail.dns_records
        self.register_outputs(
            {
                "apiUrl": self.api_url,
                "createUserUrl": self.create_user_url,
                "tableName": self.table_name,
                "functionName": self.function_name,
                "mailIdentity": self.mail_identity,
                "mailDnsRecords": self.mail_dns_records,
            }
        )
