"""The users table: pending and verified users, their claims, their links (one DynamoDB table)."""

from backend.store.dynamodb import DynamoDBUserStore

__all__ = ["DynamoDBUserStore"]
