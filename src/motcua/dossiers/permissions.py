"""Permission actions of dossiers, registered from the lifecycle table.

Reading a dossier is split in two, so that each role gets the least it needs:

- `dossier.view`: the dossier's progress — code, procedure, states, agencies, steps, due
  times, the control sheet (with the applicant's own name masked);
- `dossier.view_personal`: the person behind it — the applicant's identity and contact, the
  files, the official forms and registers that print them, lists and exports with names.

| role                | view | view_personal | why                                                   |
| ------------------- | ---- | ------------- | ----------------------------------------------------- |
| reception officer   | yes  | yes           | receives, checks the papers, returns the result       |
| specialist          | yes  | yes           | examines the files                                    |
| division head       | yes  | yes           | assigns and approves: reads what is approved          |
| agency leader       | yes  | yes           | approves, signs, refuses                              |
| clerk               | yes  | yes           | digitizes and registers the result (mark_result_ready) |
| supervisor          | yes  | no            | follows progress and lateness (monitoring drill-downs) |
| administrator       | yes  | no            | manages org and catalog; progress only, for support   |
| meeting secretary   | no   | no            | gets material only through a meeting's documents      |
| hotline operator    | no   | no            | the hotline desk only (notify.permissions): a caller's |
|                     |      |               | dossiers by code, phone, ID, each read recorded       |

A supervisor or administrator who must read a person's data acts on that person's request
through the data-subject export (motcua.privacy), which is recorded. Every read of personal
data by staff is recorded too (motcua.privacy.access).
"""

from motcua.org.models import Role
from motcua.org.permissions import register

from .lifecycle import TRANSITIONS

ACTION_PERMISSIONS = {t.action: register(f"dossier.{t.action}", t.staff_roles) for t in TRANSITIONS}

HANDLERS = [
    Role.RECEPTION_OFFICER,
    Role.SPECIALIST,
    Role.DIVISION_HEAD,
    Role.AGENCY_LEADER,
    Role.CLERK,
]
VIEW = register("dossier.view", [*HANDLERS, Role.SUPERVISOR, Role.ADMINISTRATOR])
VIEW_PERSONAL = register("dossier.view_personal", HANDLERS)
