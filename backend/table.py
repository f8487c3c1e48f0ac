"""The users table's key schema, shared by the store, the Pulumi component and the local stage."""

from __future__ import annotations

from typing import Final

# One string partition key and no sort key: every item (USER#, USERNAME#,
# EMAIL#) is addressed by its full key, so uniqueness is a plain
# attribute_not_exists(pk) condition.
PARTITION_KEY: Final = "pk"
KEY_SCHEMA: Final = ({"AttributeName": PARTITION_KEY, "KeyType": "HASH"},)
ATTRIBUTE_DEFINITIONS: Final = ({"AttributeName": PARTITION_KEY, "AttributeType": "S"},)
