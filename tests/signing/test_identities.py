"""Signing identities: installing a leader's key and an agency's seal, finding them, signing
with them; and the development PKI that `make run` makes for the demo province."""

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from motcua.org.models import Role
from motcua.signing import pades, selectors, services
from motcua.signing.errors import CertificateRefused, KeyConfigurationError
from motcua.signing.models import KeyKind, SigningIdentity
from motcua.signing.stamp import seal_png
from motcua.signing.validation import validate_pdf
from tests.factories import AgencyFactory, UserFactory

from .helpers import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_settings")]


@pytest.fixture
def agency():
    return AgencyFactory(name="Sở Tư pháp tỉnh Long An", code="000.00.12.H39", short_name="STP")


@pytest.fixture
def leader(agency):
    return UserFactory(
        full_name="Đặng Quốc Hùng",
        job_title="Phó Giám đốc",
        agency=agency,
        roles=[(Role.AGENCY_LEADER, agency)],
    )


def test_a_leaders_key_is_installed_with_its_certificate_read_and_checked(test_pki, leader):
    identity = services.signing_identity_register(
        kind=KeyKind.PKCS12, config=test_pki.p12_config("leader"), user=leader
    )

    assert identity.certificate_serial == test_pki.leader.serial_hex
    assert identity.certificate_subject.startswith("CN=Đặng Quốc Hùng")
    assert "MOTCUA DEV SIGNING CA" in identity.certificate_issuer
    assert identity.valid_to > identity.valid_from
    assert "BEGIN CERTIFICATE" in identity.certificate_pem
    assert selectors.signing_identity_of_user(leader) == identity


def test_installing_a_new_key_retires_the_old_one(test_pki, leader):
    first = services.signing_identity_register(
        kind=KeyKind.PKCS12, config=test_pki.p12_config("leader"), user=leader
    )
    second = services.signing_identity_register(
        kind=KeyKind.PKCS12, config=test_pki.p12_config("leader"), user=leader
    )
    first.refresh_from_db()
    assert not first.active and second.active
    assert selectors.signing_identity_of_user(leader) == second


def test_a_certificate_that_may_not_sign_is_not_installed(test_pki, leader):
    with pytest.raises(CertificateRefused, match="chống chối bỏ"):
        services.signing_identity_register(
            kind=KeyKind.PKCS12, config=test_pki.p12_config("no-nr"), user=leader
        )
    assert not SigningIdentity.objects.exists()


def test_a_secret_in_the_configuration_is_refused(leader):
    identity = SigningIdentity(
        user=leader, kind=KeyKind.PKCS12, config={"path": "a.p12", "passphrase": "123456"}
    )
    with pytest.raises(ValidationError) as refused:
        identity.full_clean()
    assert "biến môi trường" in str(refused.value)
    with pytest.raises(KeyConfigurationError):
        services.signing_identity_register(kind="pkcs12", config=identity.config, user=leader)


def test_an_identity_belongs_to_a_person_or_an_agency_not_both(leader, agency):
    with pytest.raises(IntegrityError), transaction.atomic():
        SigningIdentity.objects.create(user=leader, agency=agency, kind=KeyKind.PKCS12)


def test_only_an_administrator_of_the_agency_installs_a_seal(test_pki, agency, leader):
    with pytest.raises(PermissionDenied):
        services.signing_identity_register(
            kind=KeyKind.PKCS12, config=test_pki.p12_config("seal"), agency=agency, actor=leader
        )
    admin = UserFactory(roles=[(Role.ADMINISTRATOR, agency)])
    seal = services.signing_identity_register(
        kind=KeyKind.PKCS12,
        config=test_pki.p12_config("seal"),
        agency=agency,
        stamp_image=seal_png(agency.name),
        actor=admin,
    )
    assert selectors.signing_seal_of_agency(agency) == seal
    assert selectors.signing_stamp_image(agency).startswith(b"\x89PNG")


def test_signing_with_identities_stamps_the_agency_the_person_and_the_seal(
    test_pki, agency, leader, two_page_pdf
):
    person = services.signing_identity_register(
        kind=KeyKind.PKCS12, config=test_pki.p12_config("leader"), user=leader
    )
    seal = services.signing_identity_register(
        kind=KeyKind.PKCS12,
        config=test_pki.p12_config("seal"),
        agency=agency,
        stamp_image=seal_png(agency.name, center="STP"),
    )
    stamp = selectors.signing_stamp_for(person)
    assert (stamp.signed_by, stamp.signer_name, stamp.signer_title) == (
        "Sở Tư pháp tỉnh Long An",
        "Đặng Quốc Hùng",
        "Phó Giám đốc",
    )
    assert stamp.image is not None
    assert selectors.signing_stamp_for(person, seal_image=False).image is None

    by_leader = pades.sign_pdf(two_page_pdf, person, level="B-T")
    by_both = pades.sign_pdf(by_leader.pdf, seal, level="B-T")

    text = pdf_text(by_both.pdf)
    assert "Đặng Quốc Hùng – Phó Giám đốc" in text
    assert text.count("Ký bởi: Sở Tư pháp tỉnh Long An") == 2
    result = validate_pdf(by_both.pdf)
    assert result.status == "valid" and len(result.signatures) == 2


def test_a_retired_identity_signs_nothing(test_pki, leader, two_page_pdf):
    identity = services.signing_identity_register(
        kind=KeyKind.PKCS12, config=test_pki.p12_config("leader"), user=leader
    )
    services.signing_identity_retire(identity=identity)
    assert selectors.signing_identity_of_user(leader) is None
    with pytest.raises(CertificateRefused, match="ngừng sử dụng"):
        pades.sign_pdf(two_page_pdf, identity)


# --- the development PKI ---------------------------------------------------------------------


def test_the_dev_pki_gives_each_leader_a_key_and_each_agency_a_seal(
    agency, leader, tmp_path, signing_settings, two_page_pdf
):
    other = AgencyFactory(name="Ủy ban nhân dân phường 1", short_name="UBND")
    UserFactory(agency=agency, roles=[(Role.SPECIALIST, agency)])  # signs nothing
    signing_settings["DEV_PKI_DIR"] = signing_settings["KEY_DIR"] = str(tmp_path / "pki")

    report = services.signing_dev_pki_install(province="Tỉnh Long An")

    assert (report.created_cas, report.people, report.seals) == (True, 1, 2)
    person = selectors.signing_identity_of_user(leader)
    assert person.config["path"] == "signers/user-" + leader.username + ".p12"
    assert person.config["passphrase_file"] == "passphrase"
    for owner in (agency, other):
        seal = selectors.signing_seal_of_agency(owner)
        assert seal.certificate_subject.startswith(f"CN={owner.name}, O={owner.name}")
        assert selectors.signing_stamp_image(owner).startswith(b"\x89PNG")
    # The development root is trusted: what the demo signs validates.
    signed = pades.sign_pdf(two_page_pdf, person, level="B-LT")
    assert validate_pdf(signed.pdf).status == "valid"

    again = services.signing_dev_pki_install(province="Tỉnh Long An")
    assert (again.created_cas, again.people, again.seals) == (False, 0, 0)


def test_the_dev_pki_is_refused_in_production(settings):
    settings.ENVIRONMENT = "production"
    with pytest.raises(ImproperlyConfigured, match="production"):
        services.signing_dev_pki_install()
    with pytest.raises(CommandError, match="tổ chức chứng thực"):
        call_command("signing_dev_pki")


# --- the admin -------------------------------------------------------------------------------


def test_an_administrator_installs_a_seal_in_the_admin(client, test_pki, agency):
    from django.urls import reverse

    admin = UserFactory(is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:signing_signingidentity_add")
    form = {"agency": agency.pk, "kind": "pkcs12", "label": "", "active": "on"}

    secret = client.post(url, {**form, "config": '{"path": "x.p12", "passphrase": "123"}'})
    assert secret.status_code == 200 and "biến môi trường" in secret.content.decode()
    refused = client.post(url, {**form, "config": _json(test_pki.p12_config("no-nr"))})
    assert "chống chối bỏ" in refused.content.decode()
    assert not SigningIdentity.objects.exists()

    saved = client.post(url, {**form, "config": _json(test_pki.p12_config("seal"))})
    assert saved.status_code == 302
    seal = selectors.signing_seal_of_agency(agency)
    assert seal.certificate_serial == test_pki.seal.serial_hex
    listing = client.get(reverse("admin:signing_signingidentity_changelist"))
    assert seal.certificate_serial in listing.content.decode()


def _json(config: dict) -> str:
    import json

    return json.dumps(config)
