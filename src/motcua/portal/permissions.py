"""Permission actions of the public site's staff side."""

from motcua.org.models import Role
from motcua.org.permissions import register

# Feedback is answered by whoever speaks for the agency it is addressed to.
ANSWER_FEEDBACK = register(
    "portal.answer_feedback",
    [Role.AGENCY_LEADER, Role.DIVISION_HEAD, Role.RECEPTION_OFFICER, Role.SUPERVISOR],
)
