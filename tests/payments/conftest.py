import pytest

from motcua.dossiers import services
from motcua.org.models import Role
from motcua.payments.gateways import LocalGateway


@pytest.fixture
def gateway(settings):
    settings.MOTCUA = {**settings.MOTCUA, "PAYMENT_GATEWAY": "local"}
    return LocalGateway()


@pytest.fixture
def online_dossier(world):
    """A dossier the citizen submitted online, received: 20,000 đ to pay."""
    draft = world.draft()
    submitted = services.dossier_submit(actor=world.citizen, dossier=draft).dossier
    return services.dossier_receive(
        actor=world.staff[Role.RECEPTION_OFFICER], dossier=submitted
    ).dossier


def ipn_params(gateway, payment, *, paid=True, amount=None, **extra):
    answer = {
        "vnp_TmnCode": gateway.tmn_code,
        "vnp_Amount": str((payment.amount if amount is None else amount) * 100),
        "vnp_TxnRef": payment.reference,
        "vnp_ResponseCode": "00" if paid else "24",
        "vnp_TransactionStatus": "00" if paid else "02",
        "vnp_TransactionNo": "14012345",
        "vnp_BankCode": "NCB",
        "vnp_PayDate": "20261201101500",
        **extra,
    }
    answer["vnp_SecureHash"] = gateway.signature(answer)
    return answer
