"""The users table: one string key, on demand, encrypted, streamed, protected per stage; one
sparse index of what each account owns."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from contract.table_keys import (
    ATTRIBUTE_DEFINITIONS,
    OWNER_INDEX,
    OWNER_INDEX_KEY_SCHEMA,
    OWNER_INDEX_PROJECTION,
    PARTITION_KEY,
    TTL_ATTRIBUTE,
)


@dataclass(frozen=True)
class UsersTableArgs:
    """The stage's data-protection policy for the table."""

    point_in_time_recovery: bool
    deletion_protection: bool
    retain_on_delete: bool
    tags: dict[str, str]


class UsersTable(pulumi.ComponentResource):
    """The single DynamoDB table holding users and their uniqueness markers."""

    table: aws.dynamodb.Table
    # The table's change stream, read by the mail worker's event source mapping.
    stream_arn: pulumi.Output[str]
    # The owner index's ARN, the one resource the API function may Query.
    owner_index_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: UsersTableArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("signup:infra:UsersTable", name, None, opts)
        self.table = aws.dynamodb.Table(
            name,
            # On demand: sign-ups are spiky and rare, so idle capacity would be waste.
            billing_mode="PAY_PER_REQUEST",
            hash_key=PARTITION_KEY,
            attributes=[
                {"name": a["AttributeName"], "type": a["AttributeType"]}
                for a in ATTRIBUTE_DEFINITIONS
            ],
            # What an account deletion finds and deletes after its transaction
            # (backend/store/owned.py). On demand like the table, so it needs
            # no capacity of its own.
            global_secondary_indexes=[
                {
                    "name": OWNER_INDEX,
                    "key_schemas": [
                        {"attribute_name": k["AttributeName"], "key_type": k["KeyType"]}
                        for k in OWNER_INDEX_KEY_SCHEMA
                    ],
                    "projection_type": OWNER_INDEX_PROJECTION,
                }
            ],
            # The AWS managed key (aws/dynamodb) instead of an AWS owned one, so
            # every use of it shows up in this account's CloudTrail.
            server_side_encryption={"enabled": True},
            # Pending sign-ups and links expire; DynamoDB deletes them some time
            # later (the store never trusts that deletion to have happened).
            ttl={"attribute_name": TTL_ATTRIBUTE, "enabled": True},
            point_in_time_recovery={"enabled": args.point_in_time_recovery},
            # The transactional outbox: a state change and the mail it owes are
            # written together, and the stream hands the new outbox item to the
            # mail worker. NEW_IMAGE: each record carries the item as written
            # (no old image), so the stream holds nothing the table does not.
            stream_enabled=True,
            stream_view_type="NEW_IMAGE",
            deletion_protection_enabled=args.deletion_protection,
            tags=args.tags,
            # retain_on_delete keeps the users even if the stack is destroyed or
            # the table has to be replaced; deletion protection stops the console
            # and the API from dropping it.
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=args.retain_on_delete),
        )
        self.stream_arn = self.table.stream_arn
        self.owner_index_arn = pulumi.Output.concat(self.table.arn, "/index/", OWNER_INDEX)
        self.register_outputs(
            {
                "name": self.table.name,
                "arn": self.table.arn,
                "streamArn": self.stream_arn,
                "ownerIndexArn": self.owner_index_arn,
            }
        )
