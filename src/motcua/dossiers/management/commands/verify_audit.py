from django.core.management.base import BaseCommand, CommandError

from motcua.dossiers.audit import verify_all


class Command(BaseCommand):
    help = "Check the hash chain of every dossier's events; report edited or deleted events."

    def handle(self, *args, **options):
        problems = 0
        for problem in verify_all():
            problems += 1
            self.stdout.write(str(problem))
        if problems:
            raise CommandError(f"{problems} vấn đề trong nhật ký hồ sơ (audit chain broken).")
        self.stdout.write(self.style.SUCCESS("Nhật ký hồ sơ toàn vẹn (audit chain intact)."))
