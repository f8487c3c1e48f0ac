"""Pulumi components for the registration service (the local stage lives in infra/local)."""
