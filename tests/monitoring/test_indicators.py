"""Every indicator equals a recount from the dossier records, on random histories made
through the services, for several units, fields and periods; so does every drill-down list."""

import random
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.catalog.models import Field
from motcua.demo.generator.run import generate
from motcua.demo.models import GeneratorRun
from motcua.dossiers.models import (
    CodeCounter,
    Dossier,
    DossierEvent,
    DossierFile,
    DossierStep,
    Pause,
)
from motcua.monitoring import drilldown, figures, tally
from motcua.monitoring.figures import Scope
from motcua.monitoring.models import DossierTally, Tally
from motcua.monitoring.periods import Period
from motcua.org.models import Agency, Tier, User
from motcua.payments import services as payment_services
from motcua.payments.gateways import LocalGateway
from motcua.payments.models import Payment
from motcua.portal import services as portal_services
from motcua.portal.models import Feedback, Rating, RatingCriterion, RatingLevel
from tests.payments.ipn import ipn_params

from .recount import recount

pytestmark = pytest.mark.django_db


def _wipe() -> None:
    for model in (Feedback, Rating, Payment, Tally, DossierTally):
        model.objects.all().delete()
    for model in (DossierEvent, DossierFile, Pause, DossierStep, Dossier, CodeCounter):
        model.objects.all().delete()
    GeneratorRun.objects.all().delete()


def _opinions(rng: random.Random) -> None:
    """Ratings (some negative) and feedback about some dossiers, through the portal."""
    levels = list(RatingLevel.objects.all())
    criteria = list(RatingCriterion.objects.filter(is_active=True))
    finished = list(Dossier.objects.filter(state__in=["returned", "rejected"]).order_by("pk"))
    for dossier in rng.sample(finished, min(len(finished), 8)):
        answers = {c.code: rng.choice(levels).code for c in criteria}
        portal_services.rate_dossier(dossier=dossier, answers=answers, via=Rating.Via.LOOKUP)
    for dossier in rng.sample(finished, min(len(finished), 2)):
        Feedback.objects.create(
            title="Chậm trả kết quả",
            content="Hồ sơ của tôi bị chậm",
            sender_name="A",
            dossier=dossier,
        )


def _feedback_history(rng: random.Random, now) -> None:
    """Feedback sent over the last months through the portal's service, to agencies, about
    procedures or in general; answered early, late, or not at all."""
    from motcua.catalog.models import Procedure

    answerer = User.objects.filter(username="tra-loi").first() or User.objects.create_superuser(
        "tra-loi", password="x"
    )
    procedures = list(Procedure.objects.filter(agencies__isnull=False).distinct().order_by("pk"))
    for i in range(14):
        sent = now - timedelta(days=rng.randint(0, 110), hours=rng.randint(0, 23))
        procedure = rng.choice(procedures) if rng.random() < 0.8 else None
        agency = procedure.agencies.order_by("pk").first() if procedure else None
        with time_machine.travel(sent, tick=False):
            fb = portal_services.feedback_send(
                data={
                    "title": f"Phản ánh {i}",
                    "content": "Nội dung phản ánh về thủ tục",
                    "sender_name": "Người gửi",
                    "sender_phone": "0912345678",
                    "procedure": procedure.national_code if procedure else "",
                    "agency": agency.pk if agency and rng.random() < 0.5 else "",
                }
            )
        if rng.random() < 0.75:
            answered = sent + timedelta(days=rng.choice([1, 6, 12, 19, 25, 40]))
            if answered < now:
                with time_machine.travel(answered, tick=False):
                    portal_services.feedback_answer(
                        actor=answerer, feedback=fb, answer="Cơ quan đã xem xét và trả lời."
                    )
                if rng.random() < 0.6:
                    portal_services.feedback_judge(
                        feedback=fb, satisfied=rng.random() < 0.5, proof="5678"
                    )


def _payments(rng: random.Random) -> None:
    """Fees paid at counters (whole or part), online through the gateway's IPN (some paid,
    some failed), and some left unpaid."""
    gateway = LocalGateway()
    fee_bearing = list(Dossier.objects.filter(fee_due__gt=0).order_by("pk"))
    for dossier in rng.sample(fee_bearing, min(len(fee_bearing), 12)):
        if not payment_services.may_pay(dossier):
            continue
        if dossier.owner_id and rng.random() < 0.6:
            payment, _url = payment_services.payment_start_online(
                actor=dossier.owner,
                dossier=dossier,
                gateway=gateway,
                return_url="http://testserver/thanh-toan/vnpay/ket-qua/",
                client_ip="127.0.0.1",
            )
            answer = ipn_params(gateway, payment, paid=rng.random() < 0.8)
            assert payment_services.payment_confirm(gateway=gateway, params=answer).code == "00"
            continue
        reception = dossier.receiving_agency
        officer = User.objects.filter(username=f"sim-{reception.code}-reception_officer").first()
        if officer is None:
            continue
        left = payment_services.outstanding(dossier)
        payment_services.payment_record_at_counter(
            actor=officer,
            dossier=dossier,
            amount=left if rng.random() < 0.7 else max(1, left // 2),
            method=rng.choice(["cash", "transfer"]),
        )


def _subjects() -> list[tuple[str, Scope]]:
    province = Scope()
    department = Agency.objects.filter(kind=Agency.Kind.DEPARTMENT).order_by("pk").first()
    district = Agency.objects.filter(unit__tier=Tier.DISTRICT).values_list("pk", flat=True)
    commune = Agency.objects.filter(unit__tier=Tier.COMMUNE).order_by("pk").first()
    field = Field.objects.filter(procedures__isnull=False).order_by("pk").first()
    return [
        ("province", province),
        ("department", Scope(agencies=frozenset({department.pk}))),
        ("districts", Scope(agencies=frozenset(district))),
        ("commune", Scope(agencies=frozenset({commune.pk}))),
        ("field", Scope(procedures=frozenset(field.procedures.values_list("pk", flat=True)))),
    ]


def _periods(now) -> list[Period]:
    today = timezone.localtime(now).date()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    two_back = (last_month - timedelta(days=1)).replace(day=1)
    return [
        Period.month(today.year, today.month),
        Period.month(last_month.year, last_month.month),
        Period.month(two_back.year, two_back.month),
        Period.quarter(two_back.year, (two_back.month + 2) // 3),
        Period.year(today.year),
        Period("custom", two_back + timedelta(days=9), today - timedelta(days=20)),
    ]


def _stored_counters() -> set:
    fields = [f.attname for f in Tally._meta.concrete_fields if f.name != "id"]
    rows = Tally.objects.values_list(*fields)
    return {tuple(r) for r in rows if any(r[4:])}


def _check_everything(now) -> None:
    for name, scope in _subjects():
        for period in _periods(now):
            expected = recount(scope.agencies, scope.procedures, period.start, period.end, now)
            got = figures.total(scope, period, now=now)
            for metric, value in expected.items():
                assert got.count(metric) == value, (name, period.key, metric)
                if metric.startswith("fb_"):
                    continue  # feedback, not dossiers: no dossier list behind it
                listed = drilldown.dossiers(scope, period, metric, now=now).count()
                assert listed == value, (name, period.key, metric, "drill-down")


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(1, 10_000), count=st.integers(25, 60))
def test_every_indicator_equals_a_recount(demo_province, seed, count):
    _wipe()
    generate(
        dossiers=count,
        years=1,
        seed=seed,
        path="service",
        communes_per_district=1,
        citizens=10,
        progress=False,
    )
    _opinions(random.Random(seed))
    _payments(random.Random(seed))
    _feedback_history(random.Random(seed), timezone.now())
    assert Payment.objects.exists() or not Dossier.objects.filter(fee_due__gt=0).exists()
    now = timezone.now()
    _check_everything(now)
    # A rebuild from the records gives the very counters the writes kept.
    kept = _stored_counters()
    tally.rebuild()
    assert _stored_counters() == kept


def test_counters_follow_each_write_and_a_bulk_load_is_rebuilt(demo_province):
    generate(
        dossiers=40,
        years=1,
        seed=3,
        path="bulk",
        communes_per_district=1,
        citizens=10,
        progress=False,
    )
    assert not Tally.objects.exists()  # the bulk path writes past the services
    tally.rebuild()
    now = timezone.now()
    _check_everything(now)
