"""Fixtures and hooks live in plugin modules (tests/plugins/), loaded here for every level."""

# hygiene: every test of every level is checked for secret leaks.
# pytester: lets that guard's own tests run an inner pytest session.
pytest_plugins = (
    "tests.plugins.hygiene",
    "tests.plugins.local_stage",
    "tests.plugins.moto_function",
    "tests.plugins.page_state",
    "tests.plugins.deployments",
    "tests.plugins.hosted_page",
    "tests.plugins.browser",
    "tests.plugins.smoke",
    "pytester",
)
