"""Plain modules the suites share: test secrets, users, events, moto, tables, stages.

Fixtures live in tests/plugins (loaded by the root conftest); anything a test
imports comes from here, never from a conftest.
"""
