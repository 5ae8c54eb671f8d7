"""Settings of the benchmarked server: motcua's own, plus the ceiling view's URL map.

Everything else (middleware, database, production checks) comes unchanged from motcua.settings,
so the ceiling is served exactly as the real pages are.
"""

from motcua.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
