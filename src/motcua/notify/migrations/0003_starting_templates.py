import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "templates.json"


def load(apps, schema_editor):
    Template = apps.get_model("notify", "Template")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for channel in ("sms", "zns"):
        for event, text in data[channel].items():
            # A ZNS template waits, switched off, for the id Zalo approves.
            Template.objects.get_or_create(
                event=event, channel=channel, defaults={"text": text, "active": channel == "sms"}
            )


class Migration(migrations.Migration):
    dependencies = [("notify", "0002_optout_template_message")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
