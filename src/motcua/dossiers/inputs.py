"""Which inputs each action of the lifecycle table takes, for every form that collects them
(the staff screens and the API)."""

ACTION_INPUTS: dict[str, tuple[str, ...]] = {
    "submit": (),
    "receive": ("note",),
    "request_completion": ("missing_items", "note"),
    "refuse_reception": ("reasons",),
    "assign": ("assignee", "note"),
    "claim": (),
    "forward": ("to_agency", "assignee", "note"),
    "request_supplement": ("missing_items", "note"),
    "receive_supplement": ("files", "note"),
    "suspend": ("reasons",),
    "resume": ("note",),
    "approve": ("note",),
    "reject": ("reasons",),
    "apologize": ("new_appointment", "reasons"),
    "mark_result_ready": ("files", "result_summary", "note"),
    "return_result": ("note",),
    "withdraw": ("reasons",),
}
