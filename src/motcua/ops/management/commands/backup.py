from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database and every stored file into a new folder, with manifest.json "
        "(row counts, sizes, SHA-256). Safe while the site runs. See docs/operations.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", required=True, type=Path, help="a new (or empty) folder for the backup"
        )

    def handle(self, *args, output: Path, **options):
        try:
            backup_create(output, say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
