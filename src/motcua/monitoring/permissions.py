"""Who reads the indicators: supervisors, leaders and administrators, within their scope."""

from motcua.org.models import Role
from motcua.org.permissions import register

VIEW_MONITORING = register(
    "monitoring.view", [Role.SUPERVISOR, Role.AGENCY_LEADER, Role.ADMINISTRATOR]
)
