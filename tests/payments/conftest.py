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
