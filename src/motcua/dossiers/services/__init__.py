"""Every write to a dossier: one function per action of the lifecycle table.

Each checks who may act (within which agency) and that the table allows the action from the
present state, writes the change and its event in one transaction under a row lock, and
schedules the applicant's notification after commit.
"""

from .core import ActionResult, perform
from .processing import (
    dossier_apologize,
    dossier_approve,
    dossier_assign,
    dossier_claim,
    dossier_forward,
    dossier_mark_result_ready,
    dossier_receive_supplement,
    dossier_reject,
    dossier_request_supplement,
    dossier_resume,
    dossier_suspend,
)
from .reception import (
    dossier_create_draft,
    dossier_receive,
    dossier_receive_at_counter,
    dossier_refuse_reception,
    dossier_request_completion,
    dossier_return_result,
    dossier_submit,
    dossier_turn_away_at_counter,
    dossier_withdraw,
)

__all__ = [
    "ActionResult",
    "dossier_apologize",
    "dossier_approve",
    "dossier_assign",
    "dossier_claim",
    "dossier_create_draft",
    "dossier_forward",
    "dossier_mark_result_ready",
    "dossier_receive",
    "dossier_receive_at_counter",
    "dossier_receive_supplement",
    "dossier_refuse_reception",
    "dossier_reject",
    "dossier_request_completion",
    "dossier_request_supplement",
    "dossier_resume",
    "dossier_return_result",
    "dossier_submit",
    "dossier_suspend",
    "dossier_turn_away_at_counter",
    "dossier_withdraw",
    "perform",
]
