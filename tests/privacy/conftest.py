import pytest

from motcua.dossiers import services
from motcua.dossiers.services import online
from motcua.org.models import Role
from tests.world import pdf_upload


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def online_dossier(world):
    """A dossier the citizen submitted online with a scan of his ID card, then received."""
    draft = world.draft()
    draft.applicant_id_number = "079123456789"
    draft.save(update_fields=["applicant_id_number"])
    component = world.procedure.components.first()
    online.dossier_attach_files(
        owner=world.citizen,
        dossier=draft,
        component_id=component.pk,
        uploads=[pdf_upload("cccd-tran-thi-cuc.pdf")],
    )
    draft.refresh_from_db()
    submitted = services.dossier_submit(actor=world.citizen, dossier=draft).dossier
    return services.dossier_receive(
        actor=world.staff[Role.RECEPTION_OFFICER], dossier=submitted
    ).dossier
