"""Who may collect a fee: the one-stop counter of the agency that received the dossier."""

from motcua.org.models import Role
from motcua.org.permissions import register

RECORD_AT_COUNTER = register("payment.record_at_counter", [Role.RECEPTION_OFFICER])
