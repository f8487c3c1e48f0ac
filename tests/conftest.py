"""Fixtures shared by every suite live in plugin modules, loaded here."""

# tests.hygiene: every test of every suite is checked for secret leaks (issue 7).
# pytester: lets that guard's own tests run an inner pytest session.
pytest_plugins = ("tests.plugins.local_stage", "tests.hygiene", "pytester")
