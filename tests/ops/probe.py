"""What an installation holds, as JSON: rows of every table, every stored file's SHA-256, the
audit check, and the monitoring dashboard's figures for the province this month and this year.

Called in the test process for the source installation, and as
`python -m tests.ops.probe NOW` with the second installation's environment for the restored one.
"""

import dataclasses
import json
import os
import sys
from datetime import datetime


def describe(now: datetime) -> dict:
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from motcua.dossiers.audit import verify_all
    from motcua.monitoring import figures
    from motcua.monitoring.periods import Period
    from motcua.ops.backup import database, storage

    today = timezone.localtime(now).date()
    periods = {
        "month": Period.month(today.year, today.month),
        "year": Period.year(today.year),
    }
    province = figures.Scope()  # the dashboard's scope for a province supervisor
    dashboard = {
        key: {
            "province": dataclasses.asdict(figures.total(province, period, now=now)),
            "agencies": {
                str(agency): dataclasses.asdict(fig)
                for agency, fig in figures.figures(province, period, by="agency", now=now).items()
            },
        }
        for key, period in periods.items()
    }
    described = {
        "tables": database.table_counts(),
        "files": {
            name: storage.stored_sha256(default_storage, name)
            for name in storage.walk(default_storage)
        },
        "audit_problems": [str(problem) for problem in verify_all()],
        "dashboard": dashboard,
    }
    # Through JSON both ways, so the two sides compare alike (tuples, dates, lazy labels).
    return json.loads(json.dumps(described, default=str, sort_keys=True))


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    print(json.dumps(describe(datetime.fromisoformat(sys.argv[1]))))
