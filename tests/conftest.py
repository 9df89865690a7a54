"""Shared fixtures. Fixtures that start real services live in ``tests/fixtures/``."""

pytest_plugins = [
    "tests.fixtures.services",
    "tests.fixtures.browser",
]
