"""The HTTP API: every route of contract.routes to the function, throttled, CORS-limited, logged."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from contract.routes import CORS, ROUTES, Route

# One JSON line per request; never the body (it carries the password) and
# never headers (they may carry cookies).
ACCESS_LOG_FORMAT: Final = json.dumps(
    {
        "requestId": "$context.requestId",
        "requestTime": "$context.requestTime",
        "sourceIp": "$context.identity.sourceIp",
        "userAgent": "$context.identity.userAgent",
        "routeKey": "$context.routeKey",
        "status": "$context.status",
        "responseLength": "$context.responseLength",
        "responseLatency": "$context.responseLatency",
        "integrationLatency": "$context.integrationLatency",
        "integrationError": "$context.integrationErrorMessage",
    },
    separators=(",", ":"),
)


@dataclass(frozen=True)
class SignupApiArgs:
    """The function to front and the stage's edge policy."""

    function_arn: pulumi.Input[str]
    function_name: pulumi.Input[str]
    # The stack's corsOrigins, plus the hosted page's URL (an Output) when there is one.
    cors_origins: Sequence[pulumi.Input[str]]
    throttle_rate_limit: int
    throttle_burst_limit: int
    log_retention_days: int
    tags: dict[str, str]
    # The audience of the stage's access tokens: the JWT authorizer in front of
    # the bearer routes (GET /me) accepts this stage's tokens for it.
    token_audience: str | None = None


class SignupApi(pulumi.ComponentResource):
    """An HTTP API with one route, a `$default` auto-deploying stage and its access log."""

    api: aws.apigatewayv2.Api
    stage: aws.apigatewayv2.Stage
    authorizer: aws.apigatewayv2.Authorizer | None
    url: pulumi.Output[str]

    def __init__(
        self, name: str, args: SignupApiArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("signup:infra:SignupApi", name, None, opts)
        self.api = aws.apigatewayv2.Api(
            name,
            protocol_type="HTTP",
            description="User registration",
            cors_configuration={
                "allow_origins": list(args.cors_origins),
                "allow_methods": list(CORS.allow_methods),
                "allow_headers": list(CORS.allow_headers),
                "expose_headers": list(CORS.expose_headers),
                "max_age": CORS.max_age,
                "allow_credentials": CORS.allow_credentials,
            },
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        integration = aws.apigatewayv2.Integration(
            f"{name}-function",
            api_id=self.api.id,
            integration_type="AWS_PROXY",
            integration_method="POST",
            integration_uri=args.function_arn,
            payload_format_version="2.0",
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.authorizer = self._create_authorizer(name, args)
        for route in ROUTES:
            self._create_route(name, route, integration, args)
        self.stage = self._create_stage(name, args)
        # The execute-api endpoint serves the $default stage at its root, so
        # the base URL has no stage segment and no trailing slash.
        self.url = self.api.api_endpoint
        self.register_outputs({"url": self.url})

    def _create_route(
        self,
        name: str,
        route: Route,
        integration: aws.apigatewayv2.Integration,
        args: SignupApiArgs,
    ) -> None:
        slug = _slug(route.operation)
        # Bearer routes sit behind the JWT authorizer: the function never sees a bad token.
        protected = route.bearer and self.authorizer is not None
        aws.apigatewayv2.Route(
            f"{name}-{slug}",
            api_id=self.api.id,
            route_key=route.key,
            target=pulumi.Output.concat("integrations/", integration.id),
            authorization_type="JWT" if protected else None,
            authorizer_id=self.authorizer.id if protected and self.authorizer else None,
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.lambda_.Permission(
            f"{name}-invoke-{slug}",
            action="lambda:InvokeFunction",
            function=args.function_name,
            principal="apigateway.amazonaws.com",
            # This API and this one route, nothing else. The stage segment is
            # left open on purpose: how API Gateway spells the $default stage
            # in the SourceArn is not something we can verify without AWS, and
            # the console's test-invoke uses a stage of its own; a wrong stage
            # here would turn every request into a 500.
            source_arn=pulumi.Output.concat(
                self.api.execution_arn, f"/*/{route.method}{route.path}"
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _create_authorizer(
        self, name: str, args: SignupApiArgs
    ) -> aws.apigatewayv2.Authorizer | None:
        """API Gateway's JWT authorizer with this stage as its issuer (the API's own URL).

        It reads the issuer's /.well-known/openid-configuration for the key
        set (API Gateway developer guide, "Signing keys and troubleshooting
        JWT authorizers"): the same API serves both, without authorization.
        """
        if args.token_audience is None:
            return None
        return aws.apigatewayv2.Authorizer(
            f"{name}-tokens",
            api_id=self.api.id,
            name=f"{name}-tokens",
            authorizer_type="JWT",
            identity_sources=["$request.header.Authorization"],
            jwt_configuration={"issuer": self.api.api_endpoint, "audiences": [args.token_audience]},
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _create_stage(self, name: str, args: SignupApiArgs) -> aws.apigatewayv2.Stage:
        access_logs = aws.cloudwatch.LogGroup(
            f"{name}-access-logs",
            name=f"/aws/apigateway/{name}/access",
            retention_in_days=args.log_retention_days,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return aws.apigatewayv2.Stage(
            f"{name}-default",
            api_id=self.api.id,
            name="$default",
            auto_deploy=True,
            default_route_settings={
                "throttling_rate_limit": args.throttle_rate_limit,
                "throttling_burst_limit": args.throttle_burst_limit,
            },
            access_log_settings={
                "destination_arn": access_logs.arn,
                "format": ACCESS_LOG_FORMAT,
            },
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )


def _slug(operation: str) -> str:
    """`createUser` -> `create-user`, for resource names."""
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in operation)
