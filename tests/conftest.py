"""Session-wide test plumbing; each concern lives in its own plugin module."""

# tests.hygiene: every test of every suite is checked for secret leaks (issue 7).
# pytester: lets that guard's own tests run an inner pytest session.
pytest_plugins = ["pytester", "tests.hygiene"]
