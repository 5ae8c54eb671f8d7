"""The generator's bulk path writes exactly what the services write for the same plans."""

import pytest
from django.core.management import call_command

from motcua.demo.generator.run import generate
from motcua.demo.models import GeneratorRun
from motcua.dossiers.audit import event_content, verify_dossier
from motcua.dossiers.models import (
    CodeCounter,
    Dossier,
    DossierEvent,
    DossierFile,
    DossierStep,
    Pause,
)

pytestmark = pytest.mark.django_db

N = 120
IGNORED = {
    "id",
    "reference",
    "created_at",
    "updated_at",
    "event_head",
    "dossier",
    "hash",
    "prev_hash",
    "file",
    "uploaded_at",
}


def _values(obj) -> dict:
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.name not in IGNORED and f.attname not in IGNORED
    }


def _snapshot() -> list[dict]:
    out = []
    for dossier in Dossier.objects.order_by("id"):
        events = list(dossier.events.order_by("seq"))
        assert verify_dossier(dossier, events) == [], dossier.code
        steps = {s.pk: s.order for s in dossier.steps.all()}
        out.append(
            {
                "dossier": _values(dossier),
                "steps": [_values(s) for s in dossier.steps.order_by("order")],
                "pauses": [_values(p) for p in dossier.pauses.order_by("started_at")],
                "files": [_values(f) for f in dossier.files.order_by("id")],
                # The event's hashed content, with its step by order instead of by row id.
                "events": [
                    {
                        **{
                            k: v
                            for k, v in event_content(e).items()
                            if k not in ("dossier", "step")
                        },
                        "step": steps.get(e.step_id),
                    }
                    for e in events
                ],
            }
        )
    return out


def _wipe() -> None:
    for model in (
        DossierEvent,
        DossierFile,
        Pause,
        DossierStep,
        Dossier,
        CodeCounter,
        GeneratorRun,
    ):
        model.objects.all().delete()


def test_bulk_path_equals_service_path(demo_province):
    generate(
        dossiers=N,
        years=1,
        seed=7,
        path="service",
        communes_per_district=1,
        citizens=20,
        progress=False,
    )
    by_services = _snapshot()
    end_at = GeneratorRun.objects.get(seed=7).end_at
    _wipe()
    GeneratorRun.objects.create(seed=7, dossiers=N, years=1, end_at=end_at, path="bulk")
    generate(
        dossiers=N,
        years=1,
        seed=7,
        path="bulk",
        communes_per_district=1,
        citizens=20,
        progress=False,
    )
    by_bulk = _snapshot()
    assert len(by_bulk) == len(by_services) == N
    for service_row, bulk_row in zip(by_services, by_bulk, strict=True):
        assert bulk_row == service_row, service_row["dossier"]["code"]
    states = {row["dossier"]["state"] for row in by_bulk}
    assert {"returned", "rejected", "withdrawn"} <= states, states
    actions = {e["action"] for row in by_bulk for e in row["events"]}
    assert {
        "receive",
        "forward",
        "approve",
        "mark_result_ready",
        "return_result",
        "request_supplement",
        "receive_supplement",
    } <= actions


def test_generation_is_resumable_and_idempotent(demo_province):
    generate(dossiers=50, years=1, seed=3, communes_per_district=1, citizens=10, progress=False)
    codes = list(Dossier.objects.order_by("id").values_list("code", flat=True))
    call_command(
        "generate_province",
        "--dossiers",
        "50",
        "--years",
        "1",
        "--seed",
        "3",
        "--communes-per-district",
        "1",
        verbosity=0,
    )
    assert list(Dossier.objects.order_by("id").values_list("code", flat=True)) == codes
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="another seed"):
        call_command(
            "generate_province", "--dossiers", "60", "--years", "1", "--seed", "3", verbosity=0
        )


def test_generated_codes_do_not_collide_with_later_receptions(demo_province):
    generate(dossiers=40, years=1, seed=5, communes_per_district=1, citizens=10, progress=False)
    from motcua.dossiers.services import dossier_receive_at_counter
    from motcua.org.models import User

    last = Dossier.objects.order_by("-received_at").first()
    officer = User.objects.get(username=f"sim-{last.receiving_agency.code}-reception_officer")
    result = dossier_receive_at_counter(
        actor=officer,
        procedure=last.procedure,
        agency=last.receiving_agency,
        applicant={"name": "Người mới"},
        now=last.received_at,
    )
    assert Dossier.objects.filter(code=result.dossier.code).count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_workers_write_the_same_history():
    """Two worker processes, each with whole days and its own block of ids, make exactly the
    rows one process makes (on SQLite they take turns for each flush)."""
    from django.db import connection

    from motcua.demo.models import GeneratorChunk
    from motcua.demo.services import demo_province_load

    if connection.vendor != "postgresql":
        pytest.skip("the workers must share the database: SQLite's test one is in memory")
    demo_province_load()
    options = {"years": 1, "seed": 11, "communes_per_district": 1, "citizens": 20}
    generate(dossiers=N, progress=False, **options)
    alone = _snapshot()
    end_at = GeneratorRun.objects.get(seed=11).end_at
    _wipe()
    GeneratorRun.objects.create(seed=11, dossiers=N, years=1, end_at=end_at, path="bulk")
    generate(dossiers=N, progress=False, workers=2, **options)
    assert GeneratorChunk.objects.count() == 2
    together = _snapshot()
    assert len(together) == N
    for one, two in zip(alone, together, strict=True):
        assert two == one, one["dossier"]["code"]
