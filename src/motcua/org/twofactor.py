"""Who must pass a second factor (TOTP) after the password.

Decree 13/2023 and ASVS level 2 ask for more than a password where a session can decide a
dossier, administer the system or read other units' personal data: leaders who approve
(division heads and agency leaders, the `approve` row of the lifecycle table — a test keeps the
two in step), administrators and supervisors (whose lists span units), and hotline operators
(who look up applicants across the province). Production requires it of these roles by default;
a province may require it of all staff.
"""

from django.conf import settings

from .models import Role
from .selectors import active_assignments

TWO_FACTOR_ROLES = frozenset(
    {
        Role.DIVISION_HEAD,
        Role.AGENCY_LEADER,
        Role.ADMINISTRATOR,
        Role.SUPERVISOR,
        Role.HOTLINE_OPERATOR,
    }
)


def _mode() -> str:
    mode = settings.MOTCUA["REQUIRE_2FA"]
    if mode is True or mode in ("1", "true", "yes", "on", "all"):
        return "all"
    if mode == "roles":
        return "roles"
    return "none"


def two_factor_required(user) -> bool:
    """Whether `user` may not use the staff site (or get an API token) without a second factor."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return False
    mode = _mode()
    if mode == "all":
        return True
    if mode == "roles":
        return user.is_superuser or any(
            a.role in TWO_FACTOR_ROLES for a in active_assignments(user)
        )
    return False
