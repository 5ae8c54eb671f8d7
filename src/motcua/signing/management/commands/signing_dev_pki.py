from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from motcua.signing.services import signing_dev_pki_install


class Command(BaseCommand):
    help = (
        "Make the demo province's development PKI (root and intermediate CAs, a timestamping "
        "certificate, CRLs) under var/pki, and a PKCS#12 key for every leader and every agency "
        "that has none. Idempotent; refused when MOTCUA_ENV=production."
    )

    def handle(self, *args, **options):
        try:
            report = signing_dev_pki_install()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        state = "created" if report.created_cas else "kept"
        self.stdout.write(
            self.style.SUCCESS(
                f"Development PKI {state} in {report.directory}: "
                f"{report.people} new signers' keys, {report.seals} new agency seals."
            )
        )
