"""Sign-in lockout: wrong passwords and second-factor codes, counted in the shared cache.

Two counters per account, each kept for LOCKOUT_MINUTES from its first failure: one for the
account from one client address (LOCKOUT_PER_ADDRESS, tight: someone guessing) and one for the
account from anywhere (LOCKOUT_PER_ACCOUNT, looser: a guesser with many addresses). Either one
full refuses the account — the right password too, so a guess after the limit learns nothing —
and a refused attempt costs no password hash. A success clears both.

`LockoutBackend` sits first among the authentication backends, so every `authenticate()` call
(staff and admin sign-in, citizen sign-in, the API's token exchange) is covered without each
view remembering; the failure and success signals keep the counts.
"""

import hashlib

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.utils.translation import gettext as _

from . import ratelimit

PASSWORD = "password"
SECOND_FACTOR = "otp"


def _ident(value: str) -> str:
    return hashlib.sha256(str(value).strip().lower().encode()).hexdigest()[:32]


def _keys(kind: str, account: str, request) -> tuple[str, str]:
    address = ratelimit.client_address(request) if request is not None else ""
    ident = _ident(account)
    return f"lockout:{kind}:{ident}:{_ident(address)}", f"lockout:{kind}:{ident}"


def _limits() -> tuple[int, int]:
    conf = settings.MOTCUA
    return conf["LOCKOUT_PER_ADDRESS"], conf["LOCKOUT_PER_ACCOUNT"]


def is_locked(kind: str, account: str, request) -> bool:
    if not account:
        return False
    per_address, per_account = _keys(kind, account, request)
    counts = cache.get_many([per_address, per_account])
    limit_address, limit_account = _limits()
    return (
        counts.get(per_address, 0) >= limit_address or counts.get(per_account, 0) >= limit_account
    )


def failed(kind: str, account: str, request) -> None:
    if not account:
        return
    timeout = settings.MOTCUA["LOCKOUT_MINUTES"] * 60
    for key in _keys(kind, account, request):
        if not cache.add(key, 1, timeout=timeout):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=timeout)


def succeeded(kind: str, account: str, request) -> None:
    cache.delete_many(list(_keys(kind, account, request)))


def message() -> str:
    return _(
        "Tài khoản tạm khóa đăng nhập vì nhập sai nhiều lần. Vui lòng thử lại sau %(m)s phút."
    ) % {"m": settings.MOTCUA["LOCKOUT_MINUTES"]}


class LockoutBackend(ModelBackend):
    """Refuses a locked account before any password is checked; authenticates nobody itself.

    It reads users as ModelBackend does, so a session made through it (the first backend is
    the default of `login()` and the test client) stays valid.
    """

    def authenticate(self, request, username=None, password=None, **credentials):
        if request is not None and username and is_locked(PASSWORD, username, request):
            raise PermissionDenied(message())
        return None


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    failed(PASSWORD, credentials.get("username", ""), request)


@receiver(user_logged_in)
def _clear_failures(sender, request, user, **kwargs):
    succeeded(PASSWORD, user.get_username(), request)
