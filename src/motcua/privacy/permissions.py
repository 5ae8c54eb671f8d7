"""Who reviews the reads of personal data, and who answers a person's request for their data."""

from motcua.org.models import Role
from motcua.org.permissions import register

# The supervisor checks, within his unit, who read which person's data and why.
REVIEW_ACCESS = register("privacy.review_access", [Role.SUPERVISOR])
# A data-subject request (Decree 13/2023, Art. 9 and 14) is answered by the supervisor or the
# administrator; each answer is itself recorded as a read of that person's data.
SUBJECT_EXPORT = register("privacy.subject_export", [Role.SUPERVISOR, Role.ADMINISTRATOR])
