"""The users table's schema, shared by the store, the Pulumi component and the local stage."""

from __future__ import annotations

from typing import Final

# One string partition key and no sort key: every item (USER#, USERNAME#,
# EMAIL#, TOKEN#) is addressed by its full key, so a claim is a plain
# condition on one item.
PARTITION_KEY: Final = "pk"
KEY_SCHEMA: Final = ({"AttributeName": PARTITION_KEY, "KeyType": "HASH"},)
ATTRIBUTE_DEFINITIONS: Final = ({"AttributeName": PARTITION_KEY, "AttributeType": "S"},)
# Epoch seconds after which DynamoDB may delete an item (pending sign-ups,
# links). Deletion can lag by days, so every condition also compares it with
# the clock: an expired item counts as absent before it is gone.
TTL_ATTRIBUTE: Final = "expiresAt"
# Outbox items (one mail each) start their key so; the mail worker's stream
# filter (on AWS, the event source mapping's filter criteria) and the local
# stream poller both pick new items by this prefix.
OUTBOX_PREFIX: Final = "OUTBOX#"
# The count of deliveries that leased an outbox item: absent until the first
# lease, so an outbox item's image without it is the item as first written.
# The worker's stream filter keeps only such images (DynamoDB event source
# mappings filter only on the record's `dynamodb` key, not its `eventName`).
OUTBOX_DELIVERIES: Final = "deliveries"
