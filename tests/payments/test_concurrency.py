"""Real concurrency on PostgreSQL: simultaneous "pay online" clicks start one payment."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from motcua.payments import services
from motcua.payments.models import Payment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency need PostgreSQL (CI runs it)")


def test_ten_simultaneous_starts_give_one_payment(world, online_dossier, gateway):
    dossier = online_dossier
    barrier = threading.Barrier(10)

    def start(_i):
        try:
            barrier.wait()
            services.payment_start_online(
                actor=world.citizen,
                dossier=dossier,
                gateway=gateway,
                return_url="http://testserver/thanh-toan/vnpay/ket-qua/",
                client_ip="10.0.0.7",
            )
            return "started"
        except services.PaymentPending:
            return "refused"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = sorted(pool.map(start, range(10)))
    assert outcomes == ["refused"] * 9 + ["started"]
    assert Payment.objects.filter(dossier=dossier).count() == 1
