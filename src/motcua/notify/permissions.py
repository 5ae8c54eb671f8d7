"""Who may use the hotline desk (tổng đài): find dossiers across the scope of the role and
tell their progress, and send the applicant the lookup link.

The hotline operator gets neither `dossier.view` nor `dossier.view_personal`: not the staff
dossier page, the worklists or the files, only what the desk shows (progress in the public
wording, and the applicant's name and masked phone to recognise the caller), each read
recorded. No action of the lifecycle table names the role.
"""

from motcua.org.models import Role
from motcua.org.permissions import register

HOTLINE_SEARCH = register("hotline.search", [Role.HOTLINE_OPERATOR])
HOTLINE_SEND_LINK = register("hotline.send_link", [Role.HOTLINE_OPERATOR])
