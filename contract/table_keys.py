"""The users table's schema, shared by the store, the Pulumi component and the local stage."""

from __future__ import annotations

from typing import Final

# One string partition key and no sort key: every item (USER#, USERNAME#,
# EMAIL#, TOKEN#) is addressed by its full key, so a claim is a plain
# condition on one item.
PARTITION_KEY: Final = "pk"
KEY_SCHEMA: Final = ({"AttributeName": PARTITION_KEY, "KeyType": "HASH"},)
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
# The user whose account deletion takes the item along (backend/store/owned.py).
# Only items whose keys no one else can ever hold carry it: sessions, refresh
# tokens, links and the account's sign-in failure counters, all keyed by
# random ids, digests or the user id. Never the username and address claims:
# their keys pass to the next sign-up, and the deletion's batch deletes take
# no condition. Not `userId`, which the claims carry.
OWNER_ATTRIBUTE: Final = "ownerId"
# A sparse index on it (only items with the attribute are in it) that
# projects only the keys: a deletion needs nothing but each item's key.
OWNER_INDEX: Final = "byOwner"
OWNER_INDEX_KEY_SCHEMA: Final = ({"AttributeName": OWNER_ATTRIBUTE, "KeyType": "HASH"},)
OWNER_INDEX_PROJECTION: Final = "KEYS_ONLY"
# Every attribute a key schema above names (the table's or the index's).
ATTRIBUTE_DEFINITIONS: Final = (
    {"AttributeName": PARTITION_KEY, "AttributeType": "S"},
    {"AttributeName": OWNER_ATTRIBUTE, "AttributeType": "S"},
)
