"""A fee is taken once: no second online payment while one is pending or once paid, the
counter waits for a pending one, and money the gateway takes beyond the fee anyway is recorded
as an overpayment that the counter sees and refunds."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers.audit import verify_dossier
from motcua.dossiers.errors import InvalidInput, NotAllowed
from motcua.monitoring.models import Tally
from motcua.org.models import Role
from motcua.payments import services
from motcua.payments.models import Payment

from .ipn import ipn_params

pytestmark = pytest.mark.django_db

# Past VNPay's 15 minutes and the grace after them.
LAPSED = timedelta(minutes=21)


def _start(world, dossier, gateway):
    return services.payment_start_online(
        actor=world.citizen,
        dossier=dossier,
        gateway=gateway,
        return_url="http://testserver/thanh-toan/vnpay/ket-qua/",
        client_ip="10.0.0.7",
    )[0]


def _confirm(gateway, payment, **kw):
    return services.payment_confirm(gateway=gateway, params=ipn_params(gateway, payment, **kw))


def _counter(world, dossier, amount=20000):
    return services.payment_record_at_counter(
        actor=world.staff[Role.RECEPTION_OFFICER], dossier=dossier, amount=amount, method="cash"
    )


def _month_total(counter: str) -> int:
    return sum(Tally.objects.filter(grain="m", procedure_id=0).values_list(counter, flat=True))


def _later(delta=LAPSED):
    return time_machine.travel(timezone.now() + delta, tick=False)


def test_a_second_start_is_refused_while_the_first_is_pending(world, online_dossier, gateway):
    first = _start(world, online_dossier, gateway)
    assert first.expires_at == first.created_at + timedelta(minutes=15)
    with pytest.raises(services.PaymentPending) as caught:
        _start(world, online_dossier, gateway)
    assert first.reference in caught.value.message
    assert "cổng thanh toán chưa báo kết quả" in caught.value.message
    assert Payment.objects.count() == 1
    online_dossier.refresh_from_db()
    assert not services.may_pay(online_dossier)


def test_a_lapsed_pending_payment_may_be_superseded(world, online_dossier, gateway):
    first = _start(world, online_dossier, gateway)
    # Expired at the gateway, but still within the grace.
    with _later(timedelta(minutes=19)), pytest.raises(services.PaymentPending):
        _start(world, online_dossier, gateway)
    with _later():
        second = _start(world, online_dossier, gateway)
    first.refresh_from_db()
    assert first.status == Payment.Status.PENDING  # only the gateway says it failed
    assert second.reference != first.reference and Payment.objects.count() == 2


def test_no_start_once_the_fee_is_paid(world, online_dossier, gateway):
    _confirm(gateway, _start(world, online_dossier, gateway))
    with pytest.raises(NotAllowed) as caught:
        _start(world, online_dossier, gateway)
    assert "đã nộp đủ (20.000 đ)" in caught.value.message
    assert Payment.objects.count() == 1


def test_the_counter_collects_nothing_while_an_online_payment_is_pending(
    world, online_dossier, gateway
):
    pending = _start(world, online_dossier, gateway)
    officer = world.staff[Role.RECEPTION_OFFICER]
    online_dossier.refresh_from_db()
    assert not services.may_record_at_counter(officer, online_dossier)
    with pytest.raises(NotAllowed) as caught:
        _counter(world, online_dossier, amount=1000)
    assert "chưa thu tại quầy để tránh thu hai lần" in caught.value.message
    assert pending.reference in caught.value.message
    online_dossier.refresh_from_db()
    assert online_dossier.fee_paid == 0 and Payment.objects.count() == 1


def test_a_late_confirmation_after_the_counter_collected_is_an_overpayment(
    world, online_dossier, gateway
):
    pending = _start(world, online_dossier, gateway)
    with _later():
        _counter(world, online_dossier)
        # The citizen had paid at the last minute; the gateway's notice comes now.
        assert _confirm(gateway, pending).code == "00"
    pending.refresh_from_db()
    online_dossier.refresh_from_db()
    assert (pending.status, pending.overpaid, pending.credited) == ("paid", 20000, 0)
    assert online_dossier.fee_paid == 20000  # never more than due
    actions = list(online_dossier.events.order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == ["pay_counter", "pay_online", "pay_overpaid"]
    last = online_dossier.events.order_by("-seq").first()
    assert last.label == "Thu thừa phí, lệ phí (cần hoàn trả)" and last.data["amount"] == 20000
    assert verify_dossier(online_dossier, list(online_dossier.events.order_by("seq"))) == []


def test_two_confirmed_payments_count_the_fee_once_and_the_excess_for_refund(
    world, online_dossier, gateway
):
    first = _start(world, online_dossier, gateway)
    with _later():
        second = _start(world, online_dossier, gateway)
        assert _confirm(gateway, second).code == "00"
        assert _confirm(gateway, first).code == "00"
        # The gateway repeats its notices: nothing changes.
        assert _confirm(gateway, first).code == "02"
        assert _confirm(gateway, second).code == "02"
    online_dossier.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert online_dossier.fee_paid == 20000
    assert (second.overpaid, first.overpaid) == (0, 20000) and first.to_refund
    assert online_dossier.events.filter(action="pay_online").count() == 2
    assert online_dossier.events.filter(action="pay_overpaid").count() == 1
    # The indicators count the dossier once: paid, and paid online.
    assert (_month_total("fee_paid"), _month_total("fee_paid_online")) == (1, 1)


def _overpaid(world, online_dossier, gateway) -> Payment:
    first = _start(world, online_dossier, gateway)
    with _later():
        _confirm(gateway, _start(world, online_dossier, gateway))
        _confirm(gateway, first)
    first.refresh_from_db()
    online_dossier.refresh_from_db()
    return first


def test_only_the_receiving_counter_records_the_refund(world, online_dossier, gateway):
    payment = _overpaid(world, online_dossier, gateway)
    for actor in (
        world.staff[Role.SPECIALIST],
        world.district_staff[Role.RECEPTION_OFFICER],
        world.citizen,
    ):
        assert not services.may_record_refund(actor, online_dossier)
        with pytest.raises(PermissionDenied):
            services.payment_record_refund(
                actor=actor, dossier=online_dossier, payment_id=payment.pk, receipt_number="C-1"
            )
    officer = world.staff[Role.RECEPTION_OFFICER]
    assert services.may_record_refund(officer, online_dossier)
    with pytest.raises(InvalidInput):
        services.payment_record_refund(
            actor=officer, dossier=online_dossier, payment_id=payment.pk, receipt_number="  "
        )
    done = services.payment_record_refund(
        actor=officer, dossier=online_dossier, payment_id=payment.pk, receipt_number="PC-0007"
    )
    assert not done.to_refund and done.refunded_by == officer
    online_dossier.refresh_from_db()
    event = online_dossier.events.order_by("-seq").first()
    assert (event.action, event.data["amount"], event.data["receipt_number"]) == (
        "refund_overpaid",
        20000,
        "PC-0007",
    )
    assert not services.may_record_refund(officer, online_dossier)
    with pytest.raises(NotAllowed):  # not twice
        services.payment_record_refund(
            actor=officer, dossier=online_dossier, payment_id=payment.pk, receipt_number="PC-8"
        )
    assert online_dossier.fee_paid == 20000


# --- the pages ---------------------------------------------------------------------------


def _staff_page(dossier):
    return reverse("backoffice:dossier", args=[dossier.code])


def test_the_counter_sees_the_overpayment_and_records_its_refund(
    client, world, online_dossier, gateway
):
    payment = _overpaid(world, online_dossier, gateway)
    refund = reverse("payments_staff:refund", args=[online_dossier.code, payment.pk])
    client.force_login(world.staff[Role.SPECIALIST])
    page = client.get(_staff_page(online_dossier)).content.decode()
    assert "Đã thu thừa 20.000 đồng — cần hoàn trả" in page and refund not in page
    assert client.post(refund, {"refund_receipt_number": "X"}).status_code == 403
    client.force_login(world.outsider)
    assert client.post(refund, {"refund_receipt_number": "X"}).status_code == 404

    client.force_login(world.staff[Role.RECEPTION_OFFICER])
    page = client.get(_staff_page(online_dossier)).content.decode()
    assert "Đã thu thừa 20.000 đồng — cần hoàn trả" in page and refund in page
    empty = client.post(refund, {"refund_receipt_number": "", "version": online_dossier.version})
    assert "Nhập số chứng từ chi hoàn trả" in client.get(empty["Location"]).content.decode()
    done = client.post(
        refund,
        {"refund_receipt_number": "PC-0007", "version": online_dossier.version},
        follow=True,
    ).content.decode()
    assert "Đã ghi nhận hoàn trả 20.000 đ (chứng từ PC-0007)." in done
    assert "Đã thu thừa 20.000 đồng — cần hoàn trả" not in done and refund not in done
    assert "Hoàn trả tiền thu thừa phí, lệ phí" in done  # on the control sheet
    assert "Đã hoàn trả 20.000 đ tiền thu thừa lúc" in done
    payment.refresh_from_db()
    assert payment.refund_receipt_number == "PC-0007"


def test_the_citizen_is_told_the_excess_will_be_refunded(client, world, online_dossier, gateway):
    payment = _overpaid(world, online_dossier, gateway)
    back = client.get(reverse("payments:return"), ipn_params(gateway, payment)).content.decode()
    assert "Đã thanh toán phí, lệ phí" in back
    assert "20.000 đồng thu thừa sẽ được bộ phận một cửa hoàn trả cho bạn" in back
    client.force_login(world.citizen)
    page = client.get(_my_page(online_dossier)).content.decode()
    assert "Đã thu thừa 20.000 đồng — cần hoàn trả" in page
    assert "Ghi nhận đã hoàn trả" not in page


def _my_page(dossier):
    return reverse("portal:my_dossier", args=[dossier.reference])


def test_the_citizen_is_told_of_the_pending_payment_then_that_it_is_paid(
    client, world, online_dossier, gateway
):
    client.force_login(world.citizen)
    pay = reverse("portal:pay", args=[online_dossier.reference])
    assert client.post(pay).status_code == 302
    pending = Payment.objects.get()
    again = client.post(pay)
    assert again["Location"] == _my_page(online_dossier)
    page = client.get(again["Location"]).content.decode()
    assert "Bạn đã bắt đầu thanh toán trực tuyến hồ sơ này" in page
    assert pending.reference in page and "Đang chờ cổng thanh toán" in page
    assert "Thanh toán trực tuyến 20.000 đ" not in page  # no second button
    assert Payment.objects.count() == 1

    client.get(reverse("payments:ipn"), ipn_params(gateway, pending))
    page = client.post(pay, follow=True).content.decode()
    assert "Phí, lệ phí của hồ sơ này đã nộp đủ (20.000 đ); không cần nộp thêm." in page
    assert Payment.objects.count() == 1


def test_the_counter_page_shows_the_pending_payment_instead_of_the_form(
    client, world, online_dossier, gateway
):
    pending = _start(world, online_dossier, gateway)
    client.force_login(world.staff[Role.RECEPTION_OFFICER])
    page = client.get(_staff_page(online_dossier)).content.decode()
    assert "Ghi nhận đã thu phí" not in page
    assert f"Giao dịch {pending.reference} đang chờ cổng thanh toán xác nhận" in page
    with _later():
        page = client.get(_staff_page(online_dossier)).content.decode()
    assert "Ghi nhận đã thu phí" in page and "Đã hết hạn chờ thanh toán" in page
