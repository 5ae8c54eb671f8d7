from django.core.management.base import BaseCommand

from motcua.demo.services import DEMO_PASSWORD, demo_province_load


class Command(BaseCommand):
    help = "Load the demo province (units, agencies, staff, ≥40 real procedures). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--two-tier",
            action="store_true",
            help="Province → communes, as local government has run since 1 July 2025.",
        )

    def handle(self, *args, two_tier: bool = False, **options):
        report = demo_province_load(variant="two_tier" if two_tier else "three_tier")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo province: {report.units} units, {report.agencies} agencies, "
                f"{report.staff_created} new staff accounts (password: {DEMO_PASSWORD}), "
                f"{report.procedures_created} new and {report.procedures_updated} checked procedures."
            )
        )
