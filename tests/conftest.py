import os
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

_SQLITE_TEST_FILE = Path(tempfile.gettempdir()) / f"gransforum-test-{os.getpid()}.sqlite3"


def pytest_configure(config):
    # Hashed static names need a collectstatic first; tests of the pages use
    # plain names, and test_static.py checks the hashed, compressed build itself.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # On SQLite the test database is a file, as in production, not memory: with an
    # in-memory database Django hands the live server's request threads the test's
    # own connection, so the browser tests' concurrent requests would share one
    # connection and interleave their transactions. A file gives each thread its
    # own connection, with the WAL and busy timeout of gransforum/env.py.
    # Tests read what they just wrote; tests/test_phone.py tests the poll's
    # one-second copy by turning it on.
    settings.PHONE_POLL_CACHE_SECONDS = 0
    default = settings.DATABASES["default"]
    if default["ENGINE"] == "django.db.backends.sqlite3":
        default["TEST"] = {**default.get("TEST", {}), "NAME": str(_SQLITE_TEST_FILE)}


def pytest_unconfigure(config):
    # Django removes the test database; SQLite's WAL files may outlive it.
    for suffix in ("", "-wal", "-shm"):
        Path(f"{_SQLITE_TEST_FILE}{suffix}").unlink(missing_ok=True)


def pytest_collection_modifyitems(config, items):
    if os.environ.get("REQUIRE_POSTGRES") and connection.vendor != "postgresql":
        raise pytest.UsageError("REQUIRE_POSTGRES is set but DATABASE_URL is not PostgreSQL")
    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _forget_kept_results():
    """What is kept under a revision (this process's results, the cache's fragments
    and poll rows) is never stale in production, where revisions only grow; a test's
    rollback hands the same revision and ids out again with other answers."""
    from django.core.cache import caches

    from discussions import results

    results.clear()
    for cache in caches.all():
        cache.clear()
