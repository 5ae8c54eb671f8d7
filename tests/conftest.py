import os

import pytest

pytest_plugins = ["tests.world"]

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    # Caches live in the test process (pytest-django has read the settings by now, before any
    # cache was opened), and each test starts with them empty (see below).
    from django.conf import settings

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "p"},
    }
    # Lookups are counted at once, so that a test sees the count its request made.
    settings.MOTCUA["LOOKUP_TALLY_FLUSH_SECONDS"] = 0


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Real hashing costs a quarter second a user; tests make hundreds of users."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _vietnamese_by_default():
    """A request in English leaves English active in the thread; each test starts in Vietnamese."""
    from django.utils import translation

    translation.activate("vi")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_reference_caches():
    """Units, agencies and calendars are cached per process; each test starts clean."""
    from motcua.org.selectors import org_tree, province_name

    org_tree.cache_clear()
    province_name.cache_clear()
    try:
        from motcua.core.calendar import clear_calendar_cache
    except ImportError:  # pragma: no cover - the calendar module always exists
        clear_calendar_cache = None
    if clear_calendar_cache:
        clear_calendar_cache()
    from motcua.notify.services import _opt_outs, _templates

    _templates.cache_clear()
    _opt_outs.cache_clear()
    from django.core.cache import caches

    for alias in ("default", "pages"):
        caches[alias].clear()
    yield


@pytest.fixture(autouse=True)
def _default_rating_scale(request):
    """Tests that commit (browser tests) flush the tables after each test, taking the rows the
    migrations installed with them: put the default rating scale back."""
    if {"live_server", "transactional_db"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
        from motcua.portal.rating_defaults import install

        install()


@pytest.fixture
def demo_province(db):
    """The demo province exactly as `make run` loads it."""
    from motcua.demo.services import demo_province_load

    return demo_province_load()


@pytest.fixture
def postgres_only(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (CI runs it)")
