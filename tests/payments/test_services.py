"""Paying a dossier's fees: at the counter, and online where only the signed IPN counts."""

import pytest
from django.core.exceptions import PermissionDenied

from motcua.dossiers.audit import verify_dossier
from motcua.dossiers.errors import InvalidInput, NotAllowed
from motcua.dossiers.lifecycle import State
from motcua.monitoring.models import Tally
from motcua.org.models import Role
from motcua.payments import services
from motcua.payments.models import Payment
from tests.world import bring_to

from .ipn import ipn_params

pytestmark = pytest.mark.django_db


def _counter(world, dossier, amount=20000, method="cash", actor=None, **kw):
    return services.payment_record_at_counter(
        actor=actor or world.staff[Role.RECEPTION_OFFICER],
        dossier=dossier,
        amount=amount,
        method=method,
        **kw,
    )


def _month_total(counter: str) -> int:
    return sum(Tally.objects.filter(grain="m", procedure_id=0).values_list(counter, flat=True))


def test_the_counter_collects_the_fee_in_two_parts(world):
    dossier = world.receive()
    assert dossier.fee_due == 20000
    _counter(world, dossier, amount=5000, method="transfer", receipt_number="BL-0012")
    dossier.refresh_from_db()
    assert (dossier.fee_paid, services.outstanding(dossier)) == (5000, 15000)
    assert _month_total("fee_paid") == 0  # not yet in full
    _counter(world, dossier, amount=15000)
    dossier.refresh_from_db()
    assert dossier.fee_paid == 20000 and not services.may_pay(dossier)
    events = list(dossier.events.order_by("seq"))
    assert [e.action for e in events][-2:] == ["pay_counter", "pay_counter"]
    assert events[-2].label == "Nộp phí, lệ phí tại quầy"
    assert events[-2].data["receipt_number"] == "BL-0012"
    assert verify_dossier(dossier, events) == []
    assert (_month_total("fee_bearing"), _month_total("fee_paid")) == (1, 1)
    assert _month_total("fee_paid_online") == 0


@pytest.mark.parametrize(
    "amount, method, field",
    [
        (0, "cash", "amount"),
        (-5, "cash", "amount"),
        ("nhiều", "cash", "amount"),
        (20001, "cash", "amount"),
        (1000, "online", "method"),
        (1000, "", "method"),
    ],
)
def test_bad_amounts_and_methods_are_refused_and_change_nothing(world, amount, method, field):
    dossier = world.receive()
    version = dossier.version
    with pytest.raises(InvalidInput) as caught:
        _counter(world, dossier, amount=amount, method=method)
    assert field in caught.value.fields
    dossier.refresh_from_db()
    assert (dossier.fee_paid, dossier.version, Payment.objects.count()) == (0, version, 0)


def test_only_the_receiving_counter_may_collect(world):
    dossier = world.receive()
    for actor in (
        world.staff[Role.SPECIALIST],
        world.outsider,
        world.citizen,
        world.district_staff[Role.RECEPTION_OFFICER],
    ):
        assert not services.may_record_at_counter(actor, dossier)
        with pytest.raises(PermissionDenied):
            _counter(world, dossier, actor=actor)
    assert Payment.objects.count() == 0


def test_no_fee_is_taken_before_reception_nor_after_a_refusal(world):
    for state in (State.DRAFT, State.SUBMITTED, State.REJECTED, State.WITHDRAWN):
        dossier = bring_to(world, state)
        assert not services.may_pay(dossier)
        with pytest.raises(NotAllowed):
            _counter(world, dossier)


def _start(world, dossier, gateway, actor=None):
    return services.payment_start_online(
        actor=actor or world.citizen,
        dossier=dossier,
        gateway=gateway,
        return_url="http://testserver/thanh-toan/vnpay/ket-qua/",
        client_ip="10.0.0.7",
    )


def test_an_online_payment_counts_only_once_the_ipn_confirms_it(world, online_dossier, gateway):
    payment, url = _start(world, online_dossier, gateway)
    assert url.startswith("/thanh-toan/cong-thu-nghiem/?") and "vnp_Amount=2000000" in url
    online_dossier.refresh_from_db()
    assert online_dossier.fee_paid == 0 and payment.status == Payment.Status.PENDING
    reply = services.payment_confirm(gateway=gateway, params=ipn_params(gateway, payment))
    assert reply.as_json() == {"RspCode": "00", "Message": "Confirm Success"}
    payment.refresh_from_db()
    online_dossier.refresh_from_db()
    assert payment.status == Payment.Status.PAID and payment.transaction_no == "14012345"
    assert online_dossier.fee_paid == 20000
    last = online_dossier.events.order_by("-seq").first()
    assert (last.action, last.actor_id, last.data["amount"]) == ("pay_online", None, 20000)
    assert _month_total("fee_paid_online") == 1 and _month_total("fee_paid") == 1
    # The gateway repeats its notice: nothing changes the second time.
    again = services.payment_confirm(gateway=gateway, params=ipn_params(gateway, payment))
    assert again.code == "02"
    online_dossier.refresh_from_db()
    assert online_dossier.fee_paid == 20000
    assert online_dossier.events.filter(action="pay_online").count() == 1


def test_the_ipn_refuses_forgeries_unknown_orders_and_wrong_amounts(world, online_dossier, gateway):
    payment, _url = _start(world, online_dossier, gateway)
    forged = ipn_params(gateway, payment)
    forged["vnp_Amount"] = "100"
    assert services.payment_confirm(gateway=gateway, params=forged).code == "97"
    unknown = ipn_params(gateway, payment, vnp_TxnRef="MC000000000XXXXXX")
    assert services.payment_confirm(gateway=gateway, params=unknown).code == "01"
    short = ipn_params(gateway, payment, amount=1000)
    assert services.payment_confirm(gateway=gateway, params=short).code == "04"
    assert services.payment_confirm(gateway=None, params=forged).code == "97"
    payment.refresh_from_db()
    online_dossier.refresh_from_db()
    assert payment.status == Payment.Status.PENDING and online_dossier.fee_paid == 0


def test_a_cancelled_payment_is_failed_and_can_be_tried_again(world, online_dossier, gateway):
    payment, _url = _start(world, online_dossier, gateway)
    reply = services.payment_confirm(
        gateway=gateway, params=ipn_params(gateway, payment, paid=False)
    )
    assert reply.code == "00"
    payment.refresh_from_db()
    online_dossier.refresh_from_db()
    assert (payment.status, payment.response_code) == (Payment.Status.FAILED, "24")
    assert online_dossier.fee_paid == 0 and _month_total("fee_paid_online") == 0
    second, _url = _start(world, online_dossier, gateway)
    assert second.reference != payment.reference


def test_only_the_owner_pays_online_and_only_when_a_gateway_is_offered(
    world, online_dossier, gateway
):
    with pytest.raises(PermissionDenied):
        _start(world, online_dossier, gateway, actor=world.staff[Role.RECEPTION_OFFICER])
    with pytest.raises(NotAllowed):
        _start(world, online_dossier, None)
    assert Payment.objects.count() == 0
