"""Reads: the key of a person, the seal of an agency, and what a stamp shows for them."""

from django.db.models import Q

from motcua.org.models import Agency, User

from .models import SigningIdentity
from .stamp import StampInfo


def signing_identity_of_user(user: User) -> SigningIdentity | None:
    """The active key of `user` (a leader's own signature), or None."""
    if user is None or not user.pk:
        return None
    return SigningIdentity.objects.filter(user=user, active=True).select_related("user").first()


def signing_seal_of_agency(agency: Agency) -> SigningIdentity | None:
    """The active seal ("chữ ký số của cơ quan") of `agency`, or None."""
    if agency is None or not agency.pk:
        return None
    return (
        SigningIdentity.objects.filter(agency=agency, active=True).select_related("agency").first()
    )


def signing_identities(*, agency: Agency | None = None):
    """Active identities, of `agency` (its seal and its people's keys) when given."""
    rows = SigningIdentity.objects.filter(active=True).select_related("user", "agency")
    if agency is not None:
        rows = rows.filter(Q(agency=agency) | Q(user__agency=agency))
    return rows


def signing_stamp_image(agency: Agency | None) -> bytes | None:
    """The image of `agency`'s stamp ("dấu"), kept with its seal identity, or None."""
    seal = signing_seal_of_agency(agency) if agency else None
    if seal is None or not seal.stamp_image:
        return None
    try:
        with seal.stamp_image.open("rb") as stored:
            return stored.read()
    except OSError:
        return None


def signing_stamp_for(identity: SigningIdentity, *, seal_image: bool = True) -> StampInfo:
    """The stamp of a signature by `identity`: "Ký bởi: <agency>", the person's name and title
    (for a person's key), and the agency's stamp image where it has one.

    Decree 30/2020 shows the seal image with the agency's own signature: a document signed by
    the leader and then with the agency's seal passes `seal_image=False` for the leader."""
    agency = identity.owner_agency()
    image = signing_stamp_image(agency) if seal_image else None
    if identity.is_seal:
        return StampInfo(signed_by=agency.name, image=image)
    user = identity.user
    name = user.full_name or user.get_full_name() or user.username
    return StampInfo(
        signed_by=agency.name if agency else name,
        signer_name=name,
        signer_title=user.job_title,
        image=image,
    )
