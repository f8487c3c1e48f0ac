"""infra/components/mail_worker.py under Pulumi mocks, per stack: stream, worker, feed, queue."""

from __future__ import annotations

import json
from email.utils import parseaddr
from typing import Any

import pytest

from contract.table_keys import OUTBOX_DELIVERIES, OUTBOX_PREFIX, PARTITION_KEY
from infra.components.mail_worker import retry_window_seconds
from tests.plugins.deployments import STACKS, stack_settings
from tests.support.mock_deploy import ACCOUNT
from tests.support.recorded import (
    EVENT_SOURCE_MAPPING,
    FUNCTION,
    KEY,
    LAMBDA_TRUST,
    LOG_GROUP,
    MAIL_CONFIGURATION_SET,
    MAIL_IDENTITY,
    QUEUE,
    QUEUE_POLICY,
    ROLE,
    ROLE_POLICY,
    TABLE,
    grants,
    one,
    physical_name,
)

Deployments = dict[str, dict[str, Any]]
_ARN = f"us-east-1:{ACCOUNT}"
_STREAM = "/stream/2026-01-01T00:00:00.000"  # the mocks' stream label


def _queue_arn(deployment: dict[str, Any]) -> str:
    return f"arn:aws:sqs:{_ARN}:{physical_name(one(deployment, QUEUE, '-mail-worker-failures'))}"


def _role_arn(deployment: dict[str, Any]) -> str:
    role = one(deployment, ROLE, "-mail-worker-role")
    return f"arn:aws:iam::{ACCOUNT}:role/{physical_name(role)}"


def _feed(deployment: dict[str, Any]) -> dict[str, Any]:
    return one(deployment, EVENT_SOURCE_MAPPING, "-mail-worker-feed")


def test_retry_window_is_the_links_lifetime_within_lambdas_bounds() -> None:
    assert retry_window_seconds(86_400) == 86_400
    assert retry_window_seconds(30) == 60
    assert retry_window_seconds(30 * 86_400) == 7 * 86_400


@pytest.mark.parametrize("stack", STACKS)
def test_table_streams_each_new_item_image_to_the_feed(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    table = one(deployment, TABLE)["inputs"]
    assert table["streamEnabled"] is True
    assert table["streamViewType"] == "NEW_IMAGE"
    table_arn = f"arn:aws:dynamodb:{_ARN}:table/signup-{stack}-users-a1b2c3d"
    assert _feed(deployment)["inputs"]["eventSourceArn"] == table_arn + _STREAM


@pytest.mark.parametrize("stack", STACKS)
def test_worker_runs_its_handler_with_the_api_functions_code_sizing_and_environment(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    api = one(deployment, FUNCTION, "-create-user")["inputs"]
    resource = one(deployment, FUNCTION, "-mail-worker")
    worker = resource["inputs"]
    assert worker["name"] == f"signup-{stack}-mail-worker"
    assert worker["handler"] == "backend.mail_worker.handler"
    for same in ("runtime", "architectures", "memorySize", "code", "sourceCodeHash"):
        assert worker[same] == api[same], same
    # The same Settings, so the worker reads exactly what the API function does.
    assert worker["environment"] == api["environment"]
    # The stream bounds its concurrency; the stage's reservation is the API's.
    assert worker.get("reservedConcurrentExecutions") is None
    log_group = one(deployment, LOG_GROUP, "-mail-worker-logs")
    assert log_group["inputs"]["name"] == f"/aws/lambda/signup-{stack}-mail-worker"
    assert log_group["inputs"]["retentionInDays"] == stack_settings(stack)["logRetentionDays"]
    logging = {**api["loggingConfig"], "logGroup": log_group["inputs"]["name"]}
    assert worker["loggingConfig"] == logging
    assert log_group["urn"] in resource["dependencies"]
    assert one(deployment, ROLE_POLICY, "-mail-worker-policy")["urn"] in resource["dependencies"]
    assert worker["role"] == _role_arn(deployment)


@pytest.mark.parametrize("stack", STACKS)
def test_worker_role_reads_the_stream_settles_outbox_items_mails_and_reports_nothing_else(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    role = one(deployment, ROLE, "-mail-worker-role")["inputs"]
    assert json.loads(role["assumeRolePolicy"])["Statement"] == LAMBDA_TRUST
    assert not role.get("managedPolicyArns")
    table_arn = f"arn:aws:dynamodb:{_ARN}:table/signup-{stack}-users-a1b2c3d"
    log_arn = f"arn:aws:logs:{_ARN}:log-group:/aws/lambda/signup-{stack}-mail-worker"
    pepper_arn = f"arn:aws:ssm:{_ARN}:parameter/signup/{stack}/pepper"
    pepper_key = f"arn:aws:kms:{_ARN}:key/{physical_name(one(deployment, KEY, '-pepper-key'))}"
    identity = one(deployment, MAIL_IDENTITY)["inputs"]["emailIdentity"]
    configuration_set = one(deployment, MAIL_CONFIGURATION_SET)["inputs"]["configurationSetName"]
    ses = f"arn:aws:ses:{_ARN}"
    sender = parseaddr(stack_settings(stack)["mailFrom"])[1]
    stream = [table_arn + _STREAM]
    assert grants(deployment, "-mail-worker") == {
        # What the event source mapping polls with, on this stream alone.
        "dynamodb:DescribeStream": [(stream, None)],
        "dynamodb:GetRecords": [(stream, None)],
        "dynamodb:GetShardIterator": [(stream, None)],
        "dynamodb:ListStreams": [(stream, None)],
        # No PutItem: the worker settles outbox items, it creates nothing.
        "dynamodb:ConditionCheckItem": [([table_arn], None)],
        "dynamodb:DeleteItem": [([table_arn], None)],
        "dynamodb:GetItem": [([table_arn], None)],
        "dynamodb:PutItem": [([table_arn], None)],
        "dynamodb:UpdateItem": [([table_arn], None)],
        "ses:SendEmail": [
            (
                [f"{ses}:identity/{identity}", f"{ses}:configuration-set/{configuration_set}"],
                {"StringEquals": {"ses:FromAddress": sender}},
            )
        ],
        "ssm:GetParameter": [([pepper_arn], None)],
        "kms:Decrypt": [
            (
                [pepper_key],
                {"StringEquals": {"kms:EncryptionContext:PARAMETER_ARN": pepper_arn}},
            )
        ],
        "sqs:SendMessage": [([_queue_arn(deployment)], None)],
        "logs:CreateLogStream": [([f"{log_arn}:*"], None)],
        "logs:PutLogEvents": [([f"{log_arn}:*"], None)],
    }


@pytest.mark.parametrize("stack", STACKS)
def test_feed_hands_the_worker_only_new_outbox_items(deployments: Deployments, stack: str) -> None:
    feed = _feed(deployments[stack])["inputs"]
    worker = one(deployments[stack], FUNCTION, "-mail-worker")["inputs"]["name"]
    assert feed["functionName"] == f"arn:aws:lambda:{_ARN}:function:{worker}"
    (only,) = feed["filterCriteria"]["filters"]
    # Only the `dynamodb` key: DynamoDB mappings filter on nothing else. A new image of an
    # outbox item that no delivery has leased yet (no REMOVE, no lease's MODIFY).
    assert json.loads(only["pattern"]) == {
        "dynamodb": {
            "NewImage": {
                PARTITION_KEY: {"S": [{"prefix": OUTBOX_PREFIX}]},
                OUTBOX_DELIVERIES: {"N": [{"exists": False}]},
            }
        }
    }
    assert OUTBOX_DELIVERIES == "deliveries"
    assert OUTBOX_PREFIX == "OUTBOX#"
    # Outbox items written before the mapping existed are still sent.
    assert feed["startingPosition"] == "TRIM_HORIZON"
    # Small batches, invoked as soon as records arrive, one batch per shard.
    assert 1 <= feed["batchSize"] <= 10
    assert feed["maximumBatchingWindowInSeconds"] == 0
    assert "parallelizationFactor" not in feed


@pytest.mark.parametrize("stack", STACKS)
def test_feed_retries_failed_records_for_a_links_lifetime_then_reports_them(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    feed = _feed(deployment)
    inputs = feed["inputs"]
    assert inputs["functionResponseTypes"] == ["ReportBatchItemFailures"]
    assert inputs["bisectBatchOnFunctionError"] is True
    # Bounded (not -1, Lambda's "forever"), and at Lambda's ceiling so that the
    # record's age is what ends the retries.
    assert inputs["maximumRetryAttempts"] == 10_000
    ttl = stack_settings(stack)["verificationTtlSeconds"]
    assert inputs["maximumRecordAgeInSeconds"] == ttl
    assert 60 <= inputs["maximumRecordAgeInSeconds"] <= 604_800
    assert inputs["destinationConfig"] == {"onFailure": {"destinationArn": _queue_arn(deployment)}}
    policy = one(deployment, QUEUE_POLICY, "-mail-worker-failures-policy")
    assert policy["urn"] in feed["dependencies"]


@pytest.mark.parametrize("stack", STACKS)
def test_failure_queue_is_encrypted_kept_14_days_and_written_by_the_worker_alone(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    queue = one(deployment, QUEUE, "-mail-worker-failures")["inputs"]
    assert queue["sqsManagedSseEnabled"] is True
    assert queue["messageRetentionSeconds"] == 14 * 24 * 3600
    assert "fifoQueue" not in queue  # a DynamoDB mapping reports to a standard queue
    policy = one(deployment, QUEUE_POLICY, "-mail-worker-failures-policy")["inputs"]
    name = physical_name(one(deployment, QUEUE, "-mail-worker-failures"))
    assert policy["queueUrl"] == f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/{name}"
    queue_arn, role_arn = _queue_arn(deployment), _role_arn(deployment)
    assert json.loads(policy["policy"])["Statement"] == [
        {
            "Sid": "WorkerReportsUndeliverable",
            "Effect": "Allow",
            "Principal": {"AWS": role_arn},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
        },
        {
            "Sid": "NobodyElseSends",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnNotEquals": {"aws:PrincipalArn": role_arn}},
        },
    ]
