from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from motcua.core import pagecache
from motcua.demo.generator.run import generate
from motcua.monitoring.management.commands.rebuild_indicators import rebuild_indicators
from motcua.org.models import Unit


class Command(BaseCommand):
    help = (
        "Generate a province-sized history of dossiers on top of the demo province: "
        "deterministic per seed, resumable, through a bulk path equivalent to the services."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=int, required=True)
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--path",
            choices=["bulk", "service"],
            default="bulk",
            help="service: through the real services, one action at a time",
        )
        parser.add_argument("--communes-per-district", type=int, default=8)
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="processes generating side by side, each whole days (SQLite: one flush at a time)",
        )

    def handle(self, *args, **opts):
        if not Unit.objects.exists():
            call_command("load_demo_province", verbosity=0)
        try:
            run = generate(
                dossiers=opts["dossiers"],
                years=opts["years"],
                seed=opts["seed"],
                path=opts["path"],
                communes_per_district=opts["communes_per_district"],
                workers=opts["workers"],
                progress=opts["verbosity"] > 0,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        # The bulk path writes past the services: no cached public answer may outlive it, and
        # the indicators' counters are recomputed from the records.
        pagecache.pages().clear()
        rebuild_indicators(progress=opts["verbosity"] > 0, out=self.stdout)
        # Fresh statistics, so the query planner knows the new history's shape at once (SQLite
        # keeps none until told; PostgreSQL's autovacuum would get there later).
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                # Sampled statistics: a full ANALYZE of ten million dossiers reads every index
                # of a 45 GB file (many minutes); a sample of each gives the planner the same.
                cursor.execute("PRAGMA analysis_limit = 1000")
            cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"{run.generated:,} hồ sơ (seed {run.seed})."))
