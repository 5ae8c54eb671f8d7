"""The harness's work inside Django, one database at a time: fallback data, tokens and the
lookup file, and PostgreSQL query plans.

Run as `python bench/in_django.py COMMAND ...` with the database chosen by the environment
(DATABASE_URL, MOTCUA_VAR_DIR); it prints its answer as JSON on the last line of stdout. A
separate process per database because Django binds its settings to one database per process.
"""

import argparse
import json
import os
import random
import sys
from datetime import timedelta
from pathlib import Path

import django

OFFICER = "tiepnhan.p1"  # reception officer of UBND Phường 1 (intake, receipt PDF)
SUPERVISOR = "giamsat.tinh"  # follows the whole province (API list, dashboard), without names
# Queues list applicants' names, so a supervisor's are empty (dossier.view_personal): the staff
# queue pages are those of the division head of Tân An city and its wards, the widest scope of
# any role with queues in the demo province (nearly half of its dossiers).
QUEUE_OFFICER = "truongphong.tanan"
QUEUE_QUERIES = ("state=processing&late=true", "state=received")


def _token(username: str) -> str:
    from rest_framework.authtoken.models import Token

    from motcua.org.models import User

    return Token.objects.get_or_create(user=User.objects.get(username=username))[0].key


def _session(username: str) -> str:
    """A signed-in session of `username` for the HTML staff pages, as a Cookie header value."""
    from django.conf import settings
    from django.test import Client

    from motcua.org.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _reception_officers():
    """Demo reception officers whose agency handles procedures, with those procedures."""
    from motcua.org.models import Role, User

    found = []
    users = User.objects.filter(
        role_assignments__role=Role.RECEPTION_OFFICER, is_active=True
    ).distinct()
    for user in users.select_related("agency").order_by("username"):
        agency = user.agency
        procedures = list(agency.procedures.filter(is_active=True)) if agency else []
        if procedures:
            found.append((user, procedures))
    return found


def fallback(count: int, seed: int) -> dict:
    """A few dossiers received at the demo counters over the last 60 days, a third of them
    sent on to processing: enough to exercise every benchmark, not to measure scale."""
    from django.utils import timezone

    from motcua.dossiers import services
    from motcua.dossiers.errors import InvalidInput, NotAllowed

    rng = random.Random(seed)
    officers = _reception_officers()
    made = forwarded = 0
    for i in range(count):
        officer, procedures = officers[i % len(officers)]
        at = timezone.now() - timedelta(days=rng.uniform(0, 60))
        result = services.dossier_receive_at_counter(
            actor=officer,
            procedure=rng.choice(procedures),
            agency=officer.agency,
            applicant={"name": f"Người nộp {i}", "phone": f"09{rng.randrange(10**8):08d}"},
            now=at,
        )
        made += 1
        if i % 3 == 0:
            try:
                services.perform(
                    "forward", actor=officer, dossier=result.dossier, now=at + timedelta(hours=1)
                )
                forwarded += 1
            except (InvalidInput, NotAllowed):
                pass  # a one-step process has nowhere to go: the dossier stays received
    return {"dossiers": made, "forwarded": forwarded}


def _sample_lookups(limit: int, seed: int) -> list[tuple[str, str]]:
    """Up to `limit` distinct (code, last 4 phone digits), drawn by random primary keys so
    that it stays cheap on ten million rows (ORDER BY random() would sort them all)."""
    from django.db.models import Max, Min

    from motcua.dossiers.models import Dossier

    qs = Dossier.objects.exclude(code__isnull=True).exclude(code="").exclude(applicant_phone="")
    bounds = qs.aggregate(lo=Min("id"), hi=Max("id"))
    if bounds["lo"] is None:
        return []
    rng = random.Random(seed)
    span = range(bounds["lo"], bounds["hi"] + 1)
    if len(span) <= 2 * limit:
        rows = list(qs.values_list("code", "applicant_phone"))
    else:
        rows, tries = {}, 0
        while len(rows) < limit and tries < 50:
            ids = rng.sample(span, min(len(span), 1000))
            rows.update(qs.filter(id__in=ids).values_list("code", "applicant_phone"))
            tries += 1
        rows = list(rows.items())
    picked = []
    for code, phone in rows:
        digits = "".join(ch for ch in phone if ch.isdigit())
        if len(digits) >= 4:
            picked.append((code, digits[-4:]))
    rng.shuffle(picked)
    return picked[:limit]


def prepare(lookups: Path, limit: int, seed: int) -> dict:
    """Tokens, the procedure to receive, a dossier for the receipt, and the lookup file."""
    from motcua.dossiers import services
    from motcua.dossiers.models import Dossier
    from motcua.org.models import User

    officer = User.objects.select_related("agency").get(username=OFFICER)
    handled = officer.agency.procedures.filter(is_active=True).order_by("national_code")
    # Birth registration (đăng ký khai sinh), the commonest counter dossier, where handled.
    procedure = handled.filter(national_code="1.001193").first() or handled.first()
    receipt = (
        Dossier.objects.filter(receiving_agency=officer.agency)
        .exclude(code__isnull=True)
        .order_by("-id")
        .first()
    )
    if receipt is None:
        receipt = services.dossier_receive_at_counter(
            actor=officer,
            procedure=procedure,
            agency=officer.agency,
            applicant={"name": "Nguyễn Văn A", "phone": "0912345678"},
        ).dossier
    pairs = _sample_lookups(limit, seed)
    lookups.write_text("".join(f"{code} {phone}\n" for code, phone in pairs), encoding="utf-8")
    return {
        "officer_token": _token(OFFICER),
        "supervisor_token": _token(SUPERVISOR),
        "supervisor_session": _session(SUPERVISOR),
        "queue_session": _session(QUEUE_OFFICER),
        "procedure": procedure.national_code,
        "receipt_code": receipt.code,
        "lookups": len(pairs),
        "dossiers": Dossier.objects.count(),
    }


def explain(lookups: Path, out: Path, label: str) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of the queries behind the lookup page, the queue list of the
    API and the staff queue pages, captured from the real views so the plans are of the SQL the
    server runs. Every distinct read is timed by the database; the three slowest of each page
    are printed with their plans."""
    from datetime import date

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.run import DASHBOARD_PAGES, STAFF_PAGES
    from motcua.org.models import User

    code, phone = lookups.read_text(encoding="utf-8").split("\n", 1)[0].split()
    pages = [("lookup page", Client(), f"/tra-cuu/?ma={code}&dt={phone}")]
    staff = Client(HTTP_AUTHORIZATION=f"Token {_token(SUPERVISOR)}")
    pages += [("staff queue (API list)", staff, f"/api/v1/dossiers/?{q}") for q in QUEUE_QUERIES]
    officer = Client()
    officer.force_login(User.objects.get(username=QUEUE_OFFICER))
    pages += [("staff queue page", officer, url) for url in STAFF_PAGES]
    supervisor = Client()
    supervisor.force_login(User.objects.get(username=SUPERVISOR))
    last_year = date.today().year - 1
    pages += [("dashboard", supervisor, url.format(last_year=last_year)) for url in DASHBOARD_PAGES]
    lines = [f"===== {label} =====\n"]
    for name, client, url in pages:
        with CaptureQueriesContext(connection) as captured:
            status = client.get(url).status_code
        queries = [q["sql"] for q in captured.captured_queries]
        timed = []
        for sql in dict.fromkeys(queries):
            if not sql.startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            ms = float(plan.rsplit("Execution Time: ", 1)[1].split()[0])
            timed.append((ms, sql, plan))
        timed.sort(key=lambda t: t[0], reverse=True)
        total = sum(t[0] for t in timed)
        lines.append(
            f"\n### {name}: GET {url} -> {status}; {len(queries)} queries, "
            f"{len(timed)} distinct reads taking {total:.1f} ms in the database; the slowest "
            f"{min(len(timed), 3)} ({', '.join(f'{t[0]:.1f}' for t in timed[:3])} ms):\n"
        )
        for _ms, sql, plan in timed[:3]:
            lines.append(f"\n{sql}\n\n{plan}\n")
    with out.open("a", encoding="utf-8") as handle:
        handle.write("".join(lines) + "\n")
    return {"explained": len(pages)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    cmd = commands.add_parser("fallback")
    cmd.add_argument("--count", type=int, default=300)
    cmd.add_argument("--seed", type=int, default=1)
    cmd = commands.add_parser("prepare")
    cmd.add_argument("--lookups", type=Path, required=True)
    cmd.add_argument("--limit", type=int, default=10000)
    cmd.add_argument("--seed", type=int, default=1)
    cmd = commands.add_parser("explain")
    cmd.add_argument("--lookups", type=Path, required=True)
    cmd.add_argument("--out", type=Path, required=True)
    cmd.add_argument("--label", required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    django.setup()
    if args.command == "fallback":
        answer = fallback(args.count, args.seed)
    elif args.command == "prepare":
        answer = prepare(args.lookups, args.limit, args.seed)
    else:
        answer = explain(args.lookups, args.out, args.label)
    sys.stdout.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    main()
