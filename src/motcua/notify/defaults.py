"""The province's starting templates (data/templates.json): put in by the migration, and again
by the demo loader and tests after a database was emptied. An existing template is left as
the province edited it."""

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "templates.json"


def ensure_starting_templates(template_model=None) -> int:
    """Create the starting templates that are missing; how many were created. A ZNS template
    waits, switched off, for the id Zalo approves."""
    if template_model is None:
        from .models import Template as template_model
    data = json.loads(DATA.read_text(encoding="utf-8"))
    created = 0
    for channel in ("sms", "zns"):
        for event, text in data[channel].items():
            _row, made = template_model.objects.get_or_create(
                event=event, channel=channel, defaults={"text": text, "active": channel == "sms"}
            )
            created += made
    return created
