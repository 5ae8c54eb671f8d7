"""Send every message whose time has come, in batches: after an outage of a provider or of the
task workers, or from cron as a safety net beside the per-message tasks."""

from django.core.management.base import BaseCommand

from motcua.notify.services import deliver_due


class Command(BaseCommand):
    help = "Send the outbox's due messages in batches (manage.py send_outbox)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=200)

    def handle(self, *args, batch, **options):
        total = 0
        while True:
            sent = deliver_due(batch)
            total += sent
            if sent < batch:
                break
        self.stdout.write(f"{total}")
