"""Rendered public pages, shared by all worker processes and dropped when their source changes.

Only anonymous visitors get cached pages (no session and no messages cookie), so a cached body
never carries a name, a message or a CSRF token. Entries are kept until their source changes:

- a dossier's lookup answers are deleted after the transaction that changed the dossier
  commits (services call `drop_on_commit` with every event they record);
- every catalog page goes when anything in the catalog or the organisation changes
  (`clear_on_commit`), since one procedure's name shows on many pages.

A reader that renders from data which changes while it renders must not leave the old page
behind. `store` therefore adds the entry and then asks `still_valid()` again: a writer that
committed before that question is seen by it and the entry is withdrawn; one that commits
after it deletes the entry itself. Either way no stale page survives.
"""

import hashlib
import secrets
from collections.abc import Callable

from django.core.cache import caches
from django.db import transaction

GENERATION = "catalog-generation"


def pages():
    return caches["pages"]


def key(*parts: str) -> str:
    """A short, safe cache key for any text (codes and queries come from the visitor)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]
    return f"{parts[0]}:{digest}"


def anonymous(request) -> bool:
    """Whether this request may be answered with, and may fill, the shared cache."""
    from django.conf import settings

    cookies = request.COOKIES
    return request.method == "GET" and not (
        settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies
    )


def generation() -> str:
    """A token that changes whenever the catalog changes (it is removed by every clear)."""
    cache = pages()
    current = cache.get(GENERATION)
    if current is None:
        cache.add(GENERATION, secrets.token_hex(8), timeout=None)
        current = cache.get(GENERATION)
    return current


def store(
    cache_key: str, value, still_valid: Callable[[], bool], timeout: int | None = None
) -> None:
    cache = pages()
    cache.set(cache_key, value, timeout=timeout)
    if not still_valid():
        cache.delete(cache_key)


def drop_on_commit(*cache_keys: str) -> None:
    transaction.on_commit(lambda: pages().delete_many(list(cache_keys)))


def clear_on_commit(**_ignored) -> None:
    """Signal receiver and plain call alike: forget every cached page once the change commits."""
    transaction.on_commit(lambda: pages().clear())


def cached_catalog_page(view=None, *, timeout: int | None = None):
    """Serve anonymous visitors the page as last rendered until the catalog changes (or, with
    `timeout`, for at most that many seconds, for pages that also show live figures)."""
    from functools import wraps

    from django.http import HttpResponse
    from django.utils.translation import get_language

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not anonymous(request):
                return view(request, *args, **kwargs)
            cache_key = key("catalog", get_language(), request.get_full_path())
            body = pages().get(cache_key)
            if body is not None:
                return HttpResponse(body)
            before = generation()
            response = view(request, *args, **kwargs)
            # A page that asked for a CSRF token or set a cookie belongs to this visitor alone.
            if (
                response.status_code == 200
                and not response.streaming
                and not response.cookies
                and not request.META.get("CSRF_COOKIE_USED")
            ):
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                store(cache_key, response.content, lambda: generation() == before, timeout)
            return response

        return wrapper

    return decorate(view) if view is not None else decorate
