"""Permission actions of dossiers, registered from the lifecycle table."""

from motcua.org.models import Role
from motcua.org.permissions import register

from .lifecycle import TRANSITIONS

ACTION_PERMISSIONS = {t.action: register(f"dossier.{t.action}", t.staff_roles) for t in TRANSITIONS}
VIEW = register("dossier.view", list(Role.values))
