"""Run `__main__.py` for one stack file under Pulumi's mocks and dump what it registered as JSON.

Pulumi's runtime state is process-global, so each stack runs in its own
process: `python -m tests.support.mock_deploy Pulumi.dev.yaml out.json`.
"""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import mocks, rpc

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
# A fixed, obviously fake pepper: the tests look for it to prove it only
# reaches the SSM parameter, and only as a secret.
TEST_PEPPER = "test-pepper-0123456789abcdefghijklmnopqrstuvwxyz"
# The same for the web server's secret.
TEST_CLIENT_ADDRESS_SECRET = "test-client-address-secret-0123456789abcdefghij"
# The id of the security group CloudFront creates for a VPC origin's interfaces.
VPC_ORIGIN_GROUP_ID = "sg-cloudfront-vpc-origins"
# Stand-ins for what the program looks up (data sources), by call token.
_REGION_ZONES = ("a", "b", "c")


def stack_config(stack_file: Path, project: str) -> tuple[dict[str, str], list[str]]:
    """The stack file's config as the Pulumi CLI hands it to a program, and its secret keys."""
    raw = yaml.safe_load(stack_file.read_text())["config"]
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, raw_value in raw.items():
        value = raw_value
        if isinstance(value, dict) and set(value) == {"secure"}:
            # How the CLI stores `config set --secret`; the ciphertext stands in
            # for the decrypted value the CLI would pass.
            value = value["secure"]
            secret_keys.append(key)
        config[key] = value if isinstance(value, str) else json.dumps(value)
    for key, fake in (("pepper", TEST_PEPPER), ("clientAddressSecret", TEST_CLIENT_ADDRESS_SECRET)):
        if f"{project}:{key}" not in config:
            config[f"{project}:{key}"] = fake
            secret_keys.append(f"{project}:{key}")
    return config, secret_keys


class AwsMocks(pulumi.runtime.Mocks):
    """Answers for the resource types this program uses; anything else is a test failure."""

    def __init__(self, region: str) -> None:
        self.region = region

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        """The data sources the program reads; a new one must be mocked on purpose."""
        match args.token:
            case "aws:index/getAvailabilityZones:getAvailabilityZones":
                names = [f"{self.region}{zone}" for zone in _REGION_ZONES]
                return {"id": self.region, "names": names, "zoneIds": names}
            case "aws:ec2/getManagedPrefixList:getManagedPrefixList":
                return {"id": f"pl-{args.args['name']}", "name": args.args["name"]}
            case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
                return {"id": self.region, "userName": "AWS", "password": "ecr-token"}
            case "aws:ec2/getSecurityGroup:getSecurityGroup":
                return {"id": VPC_ORIGIN_GROUP_ID, **args.args}
            case "aws:index/getCallerIdentity:getCallerIdentity":
                arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/signup-deploy-dev/pulumi"
                return {"id": ACCOUNT, "accountId": ACCOUNT, "arn": arn, "userId": "AROA:pulumi"}
            case "aws:index/getRegion:getRegion":
                return {"id": self.region, "region": self.region, "name": self.region}
        raise NotImplementedError(f"unmocked call {args.token}({args.args})")

    def new_resource(  # noqa: PLR0912 - one branch per resource type, on purpose
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str, dict[str, Any]]:
        """Return the inputs plus the computed outputs the program reads (ARNs, URLs, ids)."""
        if not args.custom:
            # Component resources (signup:infra:*) have no cloud state of their own.
            return "", {}
        # A fixed suffix stands in for Pulumi's random one, so two stacks'
        # resources differ only where the stage name or the config does.
        suffix = "a1b2c3d"
        name = args.inputs.get("name") or f"{args.name}-{suffix}"
        prefix = f"arn:aws:{{}}:{self.region}:{ACCOUNT}"
        state = dict(args.inputs, name=name)
        match args.typ:
            case "aws:dynamodb/table:Table":
                state["arn"] = f"{prefix.format('dynamodb')}:table/{name}"
                # DynamoDB labels a stream with the time it was turned on.
                if args.inputs.get("streamEnabled"):
                    state["streamArn"] = f"{state['arn']}/stream/2026-01-01T00:00:00.000"
            case "aws:kms/key:Key":
                state["arn"] = f"{prefix.format('kms')}:key/{name}"
                state["keyId"] = name
            case "aws:ssm/parameter:Parameter":
                state["arn"] = f"{prefix.format('ssm')}:parameter{name}"
            case "aws:cloudwatch/logGroup:LogGroup":
                state["arn"] = f"{prefix.format('logs')}:log-group:{name}"
            case "aws:iam/role:Role":
                state["arn"] = f"arn:aws:iam::{ACCOUNT}:role/{name}"
            case "aws:lambda/function:Function":
                state["arn"] = f"{prefix.format('lambda')}:function:{name}"
            case "aws:sqs/queue:Queue":
                state["arn"] = f"{prefix.format('sqs')}:{name}"
                state["url"] = f"https://sqs.{self.region}.amazonaws.com/{ACCOUNT}/{name}"
            case "aws:lambda/eventSourceMapping:EventSourceMapping":
                uuid = f"{args.name}-uuid"
                state["uuid"] = uuid
                state["arn"] = f"{prefix.format('lambda')}:event-source-mapping:{uuid}"
            case "aws:apigatewayv2/api:Api":
                api_id = f"{args.name}-id"
                state["apiEndpoint"] = f"https://{api_id}.execute-api.{self.region}.amazonaws.com"
                state["executionArn"] = f"{prefix.format('execute-api')}:{api_id}"
            case "aws:sesv2/configurationSet:ConfigurationSet":
                configuration_set = args.inputs["configurationSetName"]
                state["arn"] = f"{prefix.format('ses')}:configuration-set/{configuration_set}"
            case "aws:sesv2/emailIdentity:EmailIdentity":
                identity = args.inputs["emailIdentity"]
                state["arn"] = f"{prefix.format('ses')}:identity/{identity}"
                if "@" not in identity:  # a domain: SES hands out three Easy DKIM tokens
                    tokens = [f"dkim{n}{args.name[-6:]}" for n in range(3)]
                    state["dkimSigningAttributes"] = {"tokens": tokens}
            case "aws:apigatewayv2/stage:Stage":
                api = f"{prefix.format('execute-api')}:{args.inputs['apiId']}"
                state["executionArn"] = f"{api}/{args.inputs['name']}"
            case _ if args.typ in WEB_TYPES:
                state.update(web_state(args, name, prefix, self.region))
            case (
                "aws:iam/rolePolicy:RolePolicy"
                | "aws:apigatewayv2/integration:Integration"
                | "aws:apigatewayv2/route:Route"
                | "aws:lambda/permission:Permission"
                | "aws:cloudwatch/metricAlarm:MetricAlarm"
                | "aws:sqs/queuePolicy:QueuePolicy"
                | "aws:kms/alias:Alias"
                | "aws:apigatewayv2/authorizer:Authorizer"
                | "pulumi:providers:aws"
            ):
                pass
            case _:
                raise NotImplementedError(f"unmocked resource type {args.typ} ({args.name})")
        return f"{args.name}-id", state


# The hosted page's resource types, with the computed outputs the program reads.
WEB_TYPES = frozenset(
    {
        "aws:ec2/vpc:Vpc",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:lb/targetGroup:TargetGroup",
        "aws:lb/listener:Listener",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketObjectv2:BucketObjectv2",
        "aws:cloudfront/originAccessControl:OriginAccessControl",
        "aws:cloudfront/distribution:Distribution",
        "aws:cloudfront/function:Function",
        "aws:cloudfront/vpcOrigin:VpcOrigin",
        "aws:ecr/repository:Repository",
        "aws:ecr/lifecyclePolicy:LifecyclePolicy",
        "docker-build:index:Image",
        "aws:ecs/cluster:Cluster",
        "aws:ecs/taskDefinition:TaskDefinition",
        "aws:ecs/service:Service",
    }
)


def web_state(  # noqa: PLR0911 - one case per resource type reads best
    args: pulumi.runtime.MockResourceArgs, name: str, prefix: str, region: str
) -> dict[str, Any]:
    """Computed outputs of the hosted page's resources, shaped like AWS's."""
    match args.typ:
        case "aws:cloudfront/function:Function":
            return {"arn": f"arn:aws:cloudfront::{ACCOUNT}:function/{name}"}
        case "aws:cloudfront/vpcOrigin:VpcOrigin":
            return {"arn": f"arn:aws:cloudfront::{ACCOUNT}:vpcorigin/{args.name}-id"}
        case "aws:lb/loadBalancer:LoadBalancer":
            arn = f"{prefix.format('elasticloadbalancing')}:loadbalancer/app/{name}/0123"
            suffix = f"app/{name}/0123"
            return {
                "arn": arn,
                "arnSuffix": suffix,
                "dnsName": f"{name}.{region}.elb.amazonaws.com",
            }
        case "aws:lb/targetGroup:TargetGroup":
            arn = f"{prefix.format('elasticloadbalancing')}:targetgroup/{name}/0123"
            return {"arn": arn, "arnSuffix": f"targetgroup/{name}/0123"}
        case "aws:lb/listener:Listener":
            return {"arn": f"{prefix.format('elasticloadbalancing')}:listener/app/{name}/0123"}
        case "aws:s3/bucket:Bucket":
            domain = f"{name}.s3.{region}.amazonaws.com"
            return {
                "arn": f"arn:aws:s3:::{name}",
                "bucket": name,
                "bucketRegionalDomainName": domain,
            }
        case "aws:cloudfront/distribution:Distribution":
            arn = f"arn:aws:cloudfront::{ACCOUNT}:distribution/{args.name}-id"
            return {"arn": arn, "domainName": f"{args.name}.cloudfront.net"}
        case "aws:ecr/repository:Repository":
            url = f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com/{name}"
            arn = f"{prefix.format('ecr')}:repository/{name}"
            return {"arn": arn, "repositoryUrl": url, "registryId": ACCOUNT}
        case "docker-build:index:Image":
            digest = "sha256:" + "0" * 64
            return {"digest": digest, "ref": f"{args.inputs['tags'][0]}@{digest}"}
        case "aws:ecs/cluster:Cluster":
            return {"arn": f"{prefix.format('ecs')}:cluster/{name}"}
        case "aws:ecs/taskDefinition:TaskDefinition":
            family = args.inputs["family"]
            return {"arn": f"{prefix.format('ecs')}:task-definition/{family}:1"}
    return {}


class RecordingMonitor(mocks.MockMonitor):
    """MockMonitor that also keeps what the mocks never see: parents, options, dependencies."""

    def __init__(self, mocks_: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks_)
        self.registrations: list[dict[str, Any]] = []

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        """Record the request, then let the base class call the mocks."""
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            dependencies = set(request.dependencies)
            for deps in request.propertyDependencies.values():
                dependencies.update(deps.urns)
            self.registrations.append(
                {
                    "type": request.type,
                    "name": request.name,
                    "urn": response.urn,
                    "parent": request.parent,
                    "custom": request.custom,
                    "inputs": plain(rpc.deserialize_properties(request.object)),
                    "retainOnDelete": request.retainOnDelete,
                    "protect": request.protect,
                    "dependencies": sorted(dependencies),
                }
            )
        return response


def plain(value: Any) -> Any:
    """Deserialized properties as JSON: secrets and archives become tagged objects."""
    if rpc.is_rpc_secret(value):
        return {"__secret__": plain(rpc.unwrap_rpc_secret(value))}
    if isinstance(value, pulumi.FileArchive):
        return {"__archive__": value.path}
    if isinstance(value, pulumi.FileAsset):
        return {"__asset__": value.path}
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def deploy(stack_file: Path) -> dict[str, Any]:
    """Run the program for `stack_file`; return its registrations and stack outputs."""
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["name"]
    stack = stack_file.name.removeprefix("Pulumi.").removesuffix(".yaml")
    config, secret_keys = stack_config(stack_file, project)
    pulumi.runtime.set_all_config(config, secret_keys)
    aws_mocks = AwsMocks(config.get("aws:region", "us-east-1"))
    monitor = RecordingMonitor(aws_mocks)
    pulumi.runtime.set_mocks(
        aws_mocks, project=project, stack=stack, preview=False, monitor=monitor
    )
    outputs: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> pulumi.Output[None]:
        runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")
        root = pulumi.runtime.get_root_resource()
        exported = root.outputs  # type: ignore[union-attr]
        return pulumi.Output.all(**exported).apply(outputs.update)

    program()
    return {"stack": stack, "outputs": outputs, "resources": monitor.registrations}


def main() -> None:
    """CLI: mock_deploy STACK_FILE OUT_JSON."""
    stack_file, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.write_text(json.dumps(deploy(stack_file), indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
