"""The Reflex backend on ECS Fargate: its log group, execution role, task definition and service.

The container has no AWS identity (no task role): it only calls the public
sign-up API. The execution role, used by ECS itself, may pull this image,
write this log group and read this stage's client-address secret; nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import pulumi
import pulumi_aws as aws

from contract.environment import API_URL, CLIENT_ADDRESS_SECRET, PASSWORD_MIN_LENGTH
from infra.components.page.balancer import Balancer
from infra.components.page.image import ECS_ARCHITECTURE, WebImage
from infra.components.page.network import Network
from infra.stack.schema import StageConfig
from signup_web.hosting import BACKEND_PORT, reflex_environment
from signup_web.settings import WebSettings

CONTAINER: Final = "web"
# CloudFront, then the load balancer (see _container).
TRUSTED_PROXY_HOPS: Final = 2
# Reflex starts in about ten seconds; health checks before that do not count.
GRACE_SECONDS: Final = 60


@dataclass(frozen=True)
class BackendArgs:
    """What the task runs, where, and what it may read."""

    stage: StageConfig
    image: WebImage
    network: Network
    balancer: Balancer
    api_url: pulumi.Input[str]
    web_url: pulumi.Input[str]
    secret_parameter_arn: pulumi.Input[str]
    secret_key_arn: pulumi.Input[str]
    tags: dict[str, str]
    # The account's permissions boundary (infra/components/boundary.py), on the role.
    permissions_boundary: pulumi.Input[str]


@dataclass(frozen=True)
class WebBackend:
    """The cluster and the service operators look for."""

    cluster: aws.ecs.Cluster
    service: aws.ecs.Service
    log_group: aws.cloudwatch.LogGroup
    execution_role: aws.iam.Role


def create_backend(name: str, args: BackendArgs, parent: pulumi.Resource) -> WebBackend:
    """Logs, role, task definition and a service of the stage's size behind the balancer."""
    child = pulumi.ResourceOptions(parent=parent)
    log_group = aws.cloudwatch.LogGroup(
        f"{name}-logs",
        name=f"/ecs/{name}",
        retention_in_days=args.stage.log_retention_days,
        tags=args.tags,
        opts=child,
    )
    role, policy = _create_execution_role(name, args, log_group, child)
    cluster = aws.ecs.Cluster(f"{name}-cluster", tags=args.tags, opts=child)
    web = args.stage.web
    task = aws.ecs.TaskDefinition(
        f"{name}-task",
        family=name,
        requires_compatibilities=["FARGATE"],
        network_mode="awsvpc",
        cpu=str(web.cpu),
        memory=str(web.memory_mb),
        runtime_platform={"cpu_architecture": ECS_ARCHITECTURE, "operating_system_family": "LINUX"},
        execution_role_arn=role.arn,
        # The root filesystem is read-only; Reflex's work files go to /tmp.
        volumes=[{"name": "tmp"}],
        container_definitions=pulumi.Output.json_dumps([_container(args, log_group)]),
        tags=args.tags,
        opts=child,
    )
    service = aws.ecs.Service(
        f"{name}-service",
        cluster=cluster.arn,
        task_definition=task.arn,
        desired_count=web.desired_count,
        launch_type="FARGATE",
        network_configuration={
            "subnets": args.network.task_subnet_ids,
            "security_groups": [args.network.task_group.id],
            # For ECR, logs, Parameter Store and the API without a NAT gateway;
            # the security group admits only the load balancer.
            "assign_public_ip": True,
        },
        load_balancers=[
            {
                "target_group_arn": args.balancer.target_group.arn,
                "container_name": CONTAINER,
                "container_port": BACKEND_PORT,
            }
        ],
        health_check_grace_period_seconds=GRACE_SECONDS,
        # Rolling: the new task is healthy before the old one goes; a
        # deployment that never gets healthy rolls itself back.
        deployment_minimum_healthy_percent=100,
        deployment_maximum_percent=200,
        deployment_circuit_breaker={"enable": True, "rollback": True},
        # `pulumi up` returns once the page is really served (the smoke step follows it).
        wait_for_steady_state=True,
        propagate_tags="SERVICE",
        tags=args.tags,
        # The target group must belong to a listener before a service may use it.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[args.balancer.listener, policy]),
    )
    return WebBackend(cluster=cluster, service=service, log_group=log_group, execution_role=role)


def _container(args: BackendArgs, log_group: aws.cloudwatch.LogGroup) -> dict[str, Any]:
    environment = pulumi.Output.all(args.api_url, args.web_url).apply(
        lambda urls: _environment(args.stage, api_url=urls[0], web_url=urls[1])
    )
    return {
        "name": CONTAINER,
        "image": args.image.ref,
        "essential": True,
        "portMappings": [{"containerPort": BACKEND_PORT, "protocol": "tcp"}],
        "environment": environment.apply(
            lambda env: [{"name": k, "value": v} for k, v in sorted(env.items())]
        ),
        # Resolved by ECS from Parameter Store when the task starts; never in
        # the task definition, the image or the stack's outputs.
        "secrets": [{"name": CLIENT_ADDRESS_SECRET, "valueFrom": args.secret_parameter_arn}],
        "readonlyRootFilesystem": True,
        # Reflex writes its work files here; the rest of the filesystem is read-only.
        "mountPoints": [{"sourceVolume": "tmp", "containerPath": "/tmp"}],  # noqa: S108 - task volume
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group.name,
                "awslogs-region": aws.get_region_output().region,
                "awslogs-stream-prefix": CONTAINER,
            },
        },
    }


def _environment(stage: StageConfig, *, api_url: str, web_url: str) -> dict[str, str]:
    # The page's settings through its own writer: the same minimum the
    # function enforces, so the form refuses what the API would. The secret
    # is not here: ECS resolves it from Parameter Store (see `secrets`).
    # The stage's wording too, so the server's state says what the export says.
    wording = stage.web.page_settings() if stage.web is not None else {}
    minimum = {PASSWORD_MIN_LENGTH: str(stage.password_min_length)}
    page = WebSettings.from_env({API_URL: api_url, **minimum, **wording})
    # Reflex's socket server accepts the page's own origin only. The
    # visitor's address, for the API's per-address limit: CloudFront appends
    # the viewer's address to X-Forwarded-For and the load balancer
    # (xff_header_processing.mode "append", its default) appends CloudFront's,
    # so the visitor is the second entry from the right; anything a visitor
    # put in the header themselves stays to its left.
    server = reflex_environment(cors_allowed_origins=web_url, trusted_proxy_hops=TRUSTED_PROXY_HOPS)
    return {**page.to_env(), **server}


def _create_execution_role(
    name: str,
    args: BackendArgs,
    log_group: aws.cloudwatch.LogGroup,
    child: pulumi.ResourceOptions,
) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = aws.iam.Role(
        f"{name}-execution",
        description=f"Starts {name}'s tasks and nothing else",
        assume_role_policy=pulumi.Output.json_dumps(trust),
        permissions_boundary=args.permissions_boundary,
        tags=args.tags,
        opts=child,
    )
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PullOwnImage",
                "Effect": "Allow",
                "Action": [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                ],
                "Resource": [args.image.repository.arn],
            },
            # Logging in to the registry is an account-level action: IAM offers
            # no resource to scope it to (the pull itself is scoped above).
            {
                "Sid": "RegistryLogin",
                "Effect": "Allow",
                "Action": ["ecr:GetAuthorizationToken"],
                "Resource": ["*"],
            },
            {
                "Sid": "WriteOwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [pulumi.Output.concat(log_group.arn, ":*")],
            },
            {
                "Sid": "ReadClientAddressSecret",
                "Effect": "Allow",
                "Action": ["ssm:GetParameters"],
                "Resource": [args.secret_parameter_arn],
            },
            # As for the pepper: Parameter Store names the parameter in the
            # encryption context, so the key decrypts only this one.
            {
                "Sid": "DecryptClientAddressSecret",
                "Effect": "Allow",
                "Action": ["kms:Decrypt"],
                "Resource": [args.secret_key_arn],
                "Condition": {
                    "StringEquals": {
                        "kms:EncryptionContext:PARAMETER_ARN": args.secret_parameter_arn
                    }
                },
            },
        ],
    }
    policy = aws.iam.RolePolicy(
        f"{name}-execution",
        role=role.id,
        policy=pulumi.Output.json_dumps(document),
        opts=child,
    )
    return role, policy
