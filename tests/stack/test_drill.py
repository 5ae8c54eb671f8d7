"""Durability drill: 16 counters receive 2,000 dossiers through the balancer while the app
servers are SIGKILLed and restarted three times and the database server once.

Afterwards every acknowledged (201) dossier exists with its audit event and its file, no
dossier is half-made, no code is used twice, the audit chain verifies, and the indicators'
counters equal a rebuild from the records. The figures are printed for the operations notes
(run with -s to see them).
"""

import hashlib
import io
import os
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.core.management import call_command

from tests.stack.client import intake, session, token

pytestmark = pytest.mark.usefixtures("db_access")

CLIENTS = 16
DOSSIERS = int(os.environ.get("DRILL_DOSSIERS", "2000"))
# (acknowledged so far, what to kill): three app-server kills and one of the database.
PLAN = [
    (int(DOSSIERS * 0.15), "app_a"),
    (int(DOSSIERS * 0.35), "app_b"),
    (int(DOSSIERS * 0.55), "postgres"),
    (int(DOSSIERS * 0.75), "app_a"),
]
COUNTERS = ["tiepnhan.p1", "tiepnhan.tanan", "tiepnhan.tantru", "tiepnhan.tantruxa"]
PROCEDURE_BY_COUNTER = {}


def _tally_snapshot():
    from motcua.monitoring.models import DossierTally, Tally

    fields = [f.name for f in Tally._meta.fields if f.name != "id"]
    rows = {
        tuple(r[:4]): r[4:]
        for r in Tally.objects.values_list(*fields).iterator()
        if any(r[4:])  # a row of zeros and no row say the same
    }
    return rows, dict(DossierTally.objects.values_list("dossier_id", "facts"))


def test_nothing_is_lost_when_servers_and_the_database_are_killed(stack):
    from motcua.dossiers.models import Dossier, DossierEvent, DossierFile

    base = stack.url
    tokens = {c: token(base, c) for c in COUNTERS}
    acknowledged: dict[str, str] = {}
    lock = threading.Lock()
    plan = list(PLAN)
    outcome = Counter()
    started = time.monotonic()

    def chaos(victim: str) -> None:
        stack[victim].kill()
        time.sleep(2)
        stack.restart(victim)
        with lock:
            outcome[f"restarted {victim}"] += 1

    def one(n: int) -> None:
        counter = COUNTERS[n % len(COUNTERS)]
        s = session(tokens[counter])
        marker = f"Diễn tập {n:05d}"
        body = f"%PDF-1.4\n% {marker}\n%%EOF\n".encode()
        for _attempt in range(60):
            try:
                answer = intake(s, base, marker, f"0913{n:06d}", body=body, **_where(counter))
            except requests.RequestException:
                answer = None
            status = answer.status_code if answer is not None else "no answer"
            if status == 201:
                with lock:
                    acknowledged[answer.json()["code"]] = marker
                    due = plan and len(acknowledged) >= plan[0][0]
                    victim = plan.pop(0)[1] if due else None
                if victim:
                    threading.Thread(target=chaos, args=(victim,)).start()
                return
            with lock:
                outcome[str(status)] += 1
            if isinstance(status, int) and 400 <= status < 500 and status != 429:
                raise AssertionError(f"{marker}: refused {status}: {answer.text[:300]}")
            time.sleep(0.3 + random.random() * 0.5)
        raise AssertionError(f"{marker}: no acknowledgement after 60 tries")

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(one, range(DOSSIERS)))
    elapsed = time.monotonic() - started
    deadline = time.monotonic() + 60
    while sum(v for k, v in outcome.items() if k.startswith("restarted")) < len(PLAN):
        assert time.monotonic() < deadline, "a restart did not finish"
        time.sleep(0.5)

    # Every acknowledged dossier, whole.
    found = dict(Dossier.objects.filter(code__in=acknowledged).values_list("code", "pk"))
    lost = set(acknowledged) - set(found)
    received = Dossier.objects.filter(applicant_name__startswith="Diễn tập")
    # Half-made: any dossier of the drill (acknowledged or not) without its receive event,
    # its file row, the stored file itself, or its contribution to the indicators.
    from motcua.monitoring.models import DossierTally

    half = []
    with_event = set(
        DossierEvent.objects.filter(action="receive", dossier__in=received).values_list(
            "dossier_id", flat=True
        )
    )
    tallied = set(
        DossierTally.objects.filter(dossier_id__in=received.values("pk")).values_list(
            "dossier_id", flat=True
        )
    )
    files = {f.dossier_id: f for f in DossierFile.objects.filter(dossier__in=received)}
    for pk, code, name in received.values_list("pk", "code", "applicant_name"):
        stored = files.get(pk)
        whole = bool(code) and pk in with_event and pk in tallied and stored is not None
        if whole:
            with stored.file.open("rb") as handle:
                data = handle.read()
            whole = hashlib.sha256(data).hexdigest() == stored.sha256 and name.encode() in data
        if not whole:
            half.append(code or pk)
    codes = list(received.values_list("code", flat=True))
    duplicates = len(codes) - len(set(codes))

    audit = io.StringIO()
    call_command("verify_audit", stdout=audit)
    before = _tally_snapshot()
    call_command("rebuild_indicators", stdout=io.StringIO())
    after = _tally_snapshot()

    print(
        f"\nDRILL {DOSSIERS} dossiers by {CLIENTS} clients in {elapsed:.0f} s: "
        f"acknowledged {len(acknowledged)}, lost {len(lost)}, half-made {len(half)}, "
        f"duplicate codes {duplicates}, received in all {len(codes)} "
        f"(retries that had in fact been written: {len(codes) - len(acknowledged)}); "
        f"failed attempts by answer {dict(outcome)}"
    )
    assert len(acknowledged) == DOSSIERS
    assert not lost
    assert not half
    assert duplicates == 0
    assert "audit chain intact" in audit.getvalue()  # verify_audit raises on any problem
    assert before[0] == after[0], "the counters differ from a rebuild"
    assert before[1] == after[1]


def _where(counter: str) -> dict:
    """The procedure each counter receives (birth registration at a commune; the districts'
    own procedures elsewhere), found once from the catalog."""
    if counter not in PROCEDURE_BY_COUNTER:
        PROCEDURE_BY_COUNTER[counter] = _procedure_for(counter)
    return {"procedure": PROCEDURE_BY_COUNTER[counter]}


def _procedure_for(username: str) -> str:
    from motcua.catalog.models import Procedure
    from motcua.org.models import User

    user = User.objects.get(username=username)
    agency = user.role_assignments.select_related("agency").get().agency
    for procedure in Procedure.objects.filter(is_active=True).order_by("national_code"):
        if _offered(procedure, agency):
            return procedure.national_code
    raise AssertionError(f"no procedure offered at {agency}")


def _offered(procedure, agency) -> bool:
    from motcua.dossiers.services.reception import _check_procedure

    try:
        _check_procedure(procedure, agency)
    except Exception:
        return False
    return True
