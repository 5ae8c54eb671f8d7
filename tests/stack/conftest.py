"""Tests against the running stack of `scripts/with-stack` (two app servers behind nginx,
PgBouncer, Redis, S3, two workers). Outside it (no STACK_STATE) they are skipped.

The test process reads the stack's own PostgreSQL database (DATABASE_URL points straight at
it) instead of making a test database: what it checks is what the servers wrote.
"""

import os

import pytest
from bench.stack import Stack

ON_STACK = bool(os.environ.get("STACK_STATE"))


def pytest_collection_modifyitems(items):
    for item in items:
        if "/stack/" in str(item.fspath):
            item.add_marker(pytest.mark.stack)
            if not ON_STACK:
                item.add_marker(
                    pytest.mark.skip(reason="needs the stack: scripts/with-stack pytest -m stack")
                )


@pytest.fixture(scope="session")
def django_db_setup():
    """Use the stack's database as it is (migrated and loaded by the stack)."""


@pytest.fixture(scope="session")
def stack() -> Stack:
    return Stack.attach()


@pytest.fixture
def db_access(django_db_blocker):
    with django_db_blocker.unblock():
        yield
