"""Real concurrency on PostgreSQL: parallel receptions and two officers on one dossier."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from motcua.dossiers import services
from motcua.dossiers.errors import DossierError
from motcua.org.models import Role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency need PostgreSQL (CI runs it)")


def _in_thread(func):
    def run(*args):
        try:
            return func(*args)
        finally:
            connections.close_all()

    return run


def test_twenty_parallel_receptions_get_twenty_sequential_codes(world):
    barrier = threading.Barrier(20)

    @_in_thread
    def receive(i):
        barrier.wait()
        return world.receive(applicant={"name": f"Người nộp {i}", "phone": "0912345678"}).code

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(receive, range(20)))
    prefix = codes[0].rsplit("-", 1)[0]
    assert sorted(codes) == [f"{prefix}-{n:04d}" for n in range(1, 21)]
    # The indicators' shared day rows took every one of them (no lost update, no deadlock).
    from django.utils import timezone

    from motcua.monitoring import figures
    from motcua.monitoring.periods import Period

    today = timezone.localdate()
    got = figures.total(figures.Scope(), Period("custom", today, today)).count("received")
    assert got == 20


def test_two_parallel_approvals_one_wins_one_conflicts(world):
    dossier = world.receive()
    officer, specialist = world.staff[Role.RECEPTION_OFFICER], world.staff[Role.SPECIALIST]
    dossier = services.dossier_forward(actor=officer, dossier=dossier).dossier
    dossier = services.dossier_forward(actor=specialist, dossier=dossier).dossier
    dossier = services.dossier_forward(
        actor=world.district_staff[Role.SPECIALIST], dossier=dossier
    ).dossier
    leaders = [world.staff[Role.AGENCY_LEADER], world.staff[Role.DIVISION_HEAD]]
    barrier = threading.Barrier(2)

    @_in_thread
    def approve(actor):
        barrier.wait()
        try:
            services.dossier_approve(actor=actor, dossier=dossier, expected_version=dossier.version)
            return "ok"
        except DossierError as exc:
            return type(exc).__name__

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(approve, leaders))
    assert outcomes[1] == "ok" and outcomes[0] in ("Conflict", "NotAllowed")
    dossier.refresh_from_db()
    assert dossier.events.filter(action="approve").count() == 1


def test_two_parallel_approvals_through_the_api_give_200_and_409(world):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    officer, specialist = world.staff[Role.RECEPTION_OFFICER], world.staff[Role.SPECIALIST]
    dossier = world.receive()
    for actor in (officer, specialist, world.district_staff[Role.SPECIALIST]):
        dossier = services.dossier_forward(actor=actor, dossier=dossier).dossier
    barrier = threading.Barrier(2)

    @_in_thread
    def approve(actor):
        client = APIClient()
        client.credentials(
            HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=actor)[0].key}"
        )
        barrier.wait()
        return client.post(
            f"/api/v1/dossiers/{dossier.code}/actions/approve/",
            {"version": dossier.version},
            format="json",
        ).status_code

    leaders = [world.staff[Role.AGENCY_LEADER], world.staff[Role.DIVISION_HEAD]]
    for leader in leaders:
        Token.objects.get_or_create(user=leader)
    with ThreadPoolExecutor(max_workers=2) as pool:
        assert sorted(pool.map(approve, leaders)) == [200, 409]
