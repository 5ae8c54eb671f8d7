"""Helpers for the verification page and the citizen's store: a result signed by the
commune's leader with the tests' PKI (tests/signing/conftest.py) and handed over, all through
the dossier services."""

from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.dossiers import services
from motcua.dossiers.lifecycle import State
from motcua.dossiers.services import results
from motcua.org.models import Role
from motcua.signing.models import KeyKind, SigningIdentity
from tests.world import at_the_leader


def give_the_leader_a_key(world, test_pki) -> SigningIdentity:
    return SigningIdentity.objects.create(
        user=world.staff[Role.AGENCY_LEADER],
        kind=KeyKind.PKCS12,
        config=test_pki.p12_config("leader"),
    )


def approve_with_result(world, pdf: bytes, dossier=None, name="quyet-dinh.pdf"):
    """Received (or `dossier`, received), the result's PDF attached, approved by the leader."""
    dossier = services.dossier_forward(
        actor=world.staff[Role.RECEPTION_OFFICER], dossier=dossier or world.receive()
    ).dossier
    results.dossier_attach_result(
        actor=world.staff[Role.SPECIALIST],
        dossier=dossier,
        files=[SimpleUploadedFile(name, pdf, content_type="application/pdf")],
    )
    dossier = at_the_leader(world, dossier)
    return services.dossier_approve(actor=world.staff[Role.AGENCY_LEADER], dossier=dossier).dossier


def sign_and_hand_over(world, dossier):
    """The leader signs the result; the counter registers it as ready for the applicant."""
    outcome = results.dossier_sign_results(actor=world.staff[Role.AGENCY_LEADER], dossier=dossier)
    assert outcome.ok, outcome.error
    dossier.refresh_from_db()
    dossier = services.dossier_mark_result_ready(
        actor=world.staff[Role.RECEPTION_OFFICER], dossier=dossier
    ).dossier
    assert dossier.state == State.RESULT_READY
    return dossier


def signed_bytes(dossier) -> bytes:
    stored = results.current_results(dossier).get()
    with stored.file.open("rb") as f:
        return f.read()


def tampered(data: bytes) -> bytes:
    """`data` with one byte changed inside what was signed."""
    changed = bytearray(data)
    changed[changed.index(b"/MediaBox") + 2] ^= 0x01
    return bytes(changed)
