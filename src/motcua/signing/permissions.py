"""Who may install and retire signing keys: the administrators of the agency's scope."""

from motcua.org.models import Role
from motcua.org.permissions import register

MANAGE_SIGNING = register("signing.manage", [Role.ADMINISTRATOR])
