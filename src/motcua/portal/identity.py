"""Citizens' sign-in through a national identity provider (VNeID, the national portal's single
sign-on) over OpenID Connect.

mozilla-django-oidc runs the protocol; this backend decides who the person is. An identity is
the pair (issuer, subject) recorded on the CitizenProfile: the library's default, matching by
e-mail, would let anyone whose provider vouches for an address take over the local account that
happens to carry it, staff accounts included. A staff account is never returned nor created here:
officers sign in on the staff site, with their second factor.
"""

import hashlib
import logging

import jwt
import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .models import CitizenProfile
from .services import ID_NUMBER, normalize_phone

logger = logging.getLogger(__name__)

# OpenID Connect Core §2: `sub` is at most 255 ASCII characters (and CitizenProfile.subject too).
SUBJECT_MAX_LENGTH = 255


class CitizenOIDCBackend(OIDCAuthenticationBackend):
    """Signs a citizen in with the identity provider's authorization code; creates the account
    on the first sign-in and refreshes it from the provider's verified claims on every one."""

    @property
    def issuer(self) -> str:
        return settings.OIDC_OP_ISSUER

    # --- the protocol --------------------------------------------------------------------

    def authenticate(self, request, **kwargs):
        # Only the callback view passes `nonce` (None or not), and only after it has checked the
        # `state` against the session. A password form posted to an address carrying ?code=…
        # must not start a code exchange behind that check's back.
        if request is None or "nonce" not in kwargs or set(kwargs) - {"nonce", "code_verifier"}:
            return None
        if not self.issuer:
            raise ImproperlyConfigured("OIDC_OP_ISSUER (MOTCUA_OIDC_ISSUER) must be set.")
        try:
            return super().authenticate(request, **kwargs)
        except (
            SuspiciousOperation,
            requests.RequestException,
            jwt.PyJWTError,
            ValueError,  # a body that is not JSON
            KeyError,  # a key set without "keys" or "kid"
        ) as exc:
            # A forged or replayed token, a provider that is down or answers nonsense: the
            # citizen gets the failure page (LOGIN_REDIRECT_URL_FAILURE), not a bare 400 or 500.
            logger.warning("Citizen sign-in through %s refused: %s", self.issuer, exc)
            return None

    def get_or_create_user(self, access_token, id_token, payload):
        self._check_id_token(payload)
        claims = self._claims(access_token, id_token, payload)
        if not self.verify_claims(claims):
            raise SuspiciousOperation("The identity provider sent no usable `sub`.")
        with transaction.atomic():
            user = self.filter_users_by_claims(claims).first()
            if user is None:
                if not self.get_settings("OIDC_CREATE_USER", True):
                    return None
                try:
                    with transaction.atomic():
                        return self.create_user(claims)
                except IntegrityError:
                    # The same person's sign-in in another tab created it a moment ago.
                    user = self.filter_users_by_claims(claims).first()
                    if user is None:
                        raise
            if user.is_staff or user.is_superuser:
                raise SuspiciousOperation(
                    f"Account {user.pk} is a staff account; it does not sign in as a citizen."
                )
            return self.update_user(user, claims)

    def _check_id_token(self, payload: dict) -> None:
        """What the library leaves out (it checks only the signature, expiry if given and the
        nonce): the token must come from our issuer and be meant for us (OIDC Core §3.1.3.7)."""
        if payload.get("iss") != self.issuer:
            raise SuspiciousOperation(f"ID token from issuer {payload.get('iss')!r}.")
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation(f"ID token meant for {audience!r}.")
        if payload.get("azp", self.OIDC_RP_CLIENT_ID) != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation(f"ID token authorized for {payload.get('azp')!r}.")
        if "exp" not in payload:
            raise SuspiciousOperation("ID token without an expiry.")

    def _claims(self, access_token, id_token, payload: dict) -> dict:
        """The ID token's claims, completed by the userinfo endpoint's when there is one."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            userinfo = self.get_userinfo(access_token, id_token, payload)
            # OIDC Core §5.3.2: userinfo about someone else must not be used. The library does
            # not check it; the account is found by `sub`, so it matters here.
            if str(userinfo.get("sub")) != str(payload.get("sub")):
                raise SuspiciousOperation("Userinfo is about another subject than the ID token.")
            claims.update(userinfo)
        return claims

    def verify_claims(self, claims) -> bool:
        subject = _text(claims.get("sub"))
        return bool(subject) and len(subject) <= SUBJECT_MAX_LENGTH

    # --- the account ---------------------------------------------------------------------

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(
            citizen__identity_provider=self.issuer, citizen__subject=_text(claims.get("sub"))
        )

    def get_username(self, claims) -> str:
        """Stable for the identity, and tells nothing about the person (a username shows up in
        logs and the admin); local citizen accounts use a phone or an e-mail, never this."""
        identity = f"{self.issuer}\n{_text(claims.get('sub'))}".encode()
        return "oidc-" + hashlib.sha256(identity).hexdigest()[:24]

    def create_user(self, claims):
        user = self.UserModel(username=self.get_username(claims), is_staff=False)
        user.set_unusable_password()  # the provider is how this person signs in
        profile = CitizenProfile(identity_provider=self.issuer, subject=_text(claims.get("sub")))
        _apply_claims(user, profile, claims)
        user.save()
        profile.user = user
        profile.save()
        return user

    def update_user(self, user, claims):
        """The provider has verified the name, the identification number, the phone and the
        e-mail: they win over what was typed in. The address is the citizen's own."""
        profile = user.citizen
        _apply_claims(user, profile, claims)
        user.save(update_fields=["full_name", "phone", "email"])
        profile.save(update_fields=["id_number"])
        return user

    def get_user(self, user_id):
        """A session opened here stays a citizen's: an account made staff later, or locked,
        no longer resolves through it."""
        user = super().get_user(user_id)
        if user is None or user.is_staff or user.is_superuser or not user.is_active:
            return None
        return user


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _apply_claims(user, profile: CitizenProfile, claims: dict) -> None:
    """Copy what the provider vouches for; a claim missing or malformed leaves the field as is."""
    name = " ".join(_text(claims.get("name")).split())
    if not name:
        # Vietnamese order: family name, middle name, given name ("Nguyễn Văn An").
        parts = (claims.get(key) for key in ("family_name", "middle_name", "given_name"))
        name = " ".join(" ".join(_text(part) for part in parts).split())
    if name:
        user.full_name = name[:150]

    id_number = _text(claims.get(settings.OIDC_ID_NUMBER_CLAIM))
    if ID_NUMBER.match(id_number):
        profile.id_number = id_number

    phone = normalize_phone(_text(claims.get("phone_number")))
    if phone and claims.get("phone_number_verified") is not False:
        user.phone = phone

    email = _text(claims.get("email")).lower()
    if email and claims.get("email_verified") is not False:
        try:
            validate_email(email)
        except ValidationError:
            pass
        else:
            user.email = email
