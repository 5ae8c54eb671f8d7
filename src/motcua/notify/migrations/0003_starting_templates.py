from django.db import migrations


def load(apps, schema_editor):
    from motcua.notify.defaults import ensure_starting_templates

    ensure_starting_templates(apps.get_model("notify", "Template"))


class Migration(migrations.Migration):
    dependencies = [("notify", "0002_optout_template_message")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
