from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into this installation, which must be empty (no "
        "dossier, no account); check it against its manifest before and after. Stop the app "
        "servers and workers first. See docs/operations.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="the backup's folder")

    def handle(self, *args, source: Path, **options):
        try:
            backup_restore(source, say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
