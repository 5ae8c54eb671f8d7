"""Citizens sign in through the national identity provider (OpenID Connect), here a real local
provider on 127.0.0.1: the browser's trip to the provider is made over plain HTTP, the way back
through Django's test client."""

import runpy
import time
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import HTTPRedirectHandler, ProxyHandler, build_opener

import pytest
from django.contrib import auth
from django.http import HttpRequest

import motcua.settings
from motcua.org.models import User
from motcua.portal.models import CitizenProfile
from tests.factories import UserFactory
from tests.portal.oidc_provider import BACKEND, REDIRECT_URI, new_rsa_key

pytestmark = pytest.mark.django_db

FAILURE_URL = "/tai-khoan/dang-nhap/?loi=dinh-danh"


class _StayHere(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # hand the redirect back, as a browser's address bar would show it


_browser = build_opener(ProxyHandler({}), _StayHere())


def visit_provider(url: str) -> str:
    """Open the provider's sign-in address; return where it sends the browser back to."""
    try:
        with _browser.open(url, timeout=5) as response:
            raise AssertionError(f"the provider answered {response.status}, not a redirect")
    except HTTPError as redirect:
        assert redirect.code == 302, redirect.read()
        return redirect.headers["Location"]


def sign_in(client, provider, next_url="/tai-khoan/"):
    """The whole trip: our sign-in link, the provider, back to our callback. The callback's
    response is returned."""
    start = client.get("/oidc/authenticate/", {"next": next_url})
    assert start.status_code == 302
    assert start["Location"].startswith(f"{provider.issuer}/authorize?")
    back = urlsplit(visit_provider(start["Location"]))
    assert f"{back.scheme}://{back.netloc}{back.path}" == REDIRECT_URI
    return client.get(f"{back.path}?{back.query}")


def signed_in(client):
    """Who the next request from this browser is signed in as (AnonymousUser if nobody)."""
    request = HttpRequest()
    request.session = client.session
    return auth.get_user(request)


def test_first_sign_in_creates_a_citizen_account_from_the_verified_claims(client, oidc_provider):
    response = sign_in(client, oidc_provider, next_url="/tai-khoan/")

    assert response.status_code == 302 and response["Location"] == "/tai-khoan/"
    user = signed_in(client)
    assert user.is_authenticated
    assert not user.is_staff and not user.is_superuser
    assert not user.has_usable_password()
    assert user.full_name == "Nguyễn Văn An"
    assert user.phone == "0912345678"
    assert user.email == "an.nguyen@example.vn"
    assert user.citizen.id_number == "001090012345"
    assert user.citizen.identity_provider == oidc_provider.issuer
    assert user.citizen.subject == "cong-dan-1"
    assert user.citizen.verified
    # The request asked for an ID token bound to this sign-in.
    asked = oidc_provider.authorizations[0]
    assert "openid" in asked["scope"].split() and asked["nonce"]


def test_signing_in_again_updates_the_same_account_and_keeps_the_address(client, oidc_provider):
    sign_in(client, oidc_provider)
    first = signed_in(client)
    CitizenProfile.objects.filter(user=first).update(address="12 Lê Lợi, phường Bến Thành")
    client.logout()

    oidc_provider.next_user.update(
        name="Nguyễn Văn Ân", phone_number="0987654321", citizen_id="001090054321"
    )
    response = sign_in(client, oidc_provider)

    assert response["Location"] == "/tai-khoan/"
    again = signed_in(client)
    assert again.pk == first.pk
    assert User.objects.count() == 1
    again.refresh_from_db()
    assert again.full_name == "Nguyễn Văn Ân"
    assert again.phone == "0987654321"
    assert again.citizen.id_number == "001090054321"
    assert again.citizen.address == "12 Lê Lợi, phường Bến Thành"


@pytest.mark.parametrize(
    "officer",
    [{"is_staff": True}, {"is_staff": False, "is_superuser": True}],
    ids=["staff", "superuser"],
)
def test_an_officer_with_the_same_email_is_not_the_citizen(client, oidc_provider, officer):
    staff = UserFactory(email="an.nguyen@example.vn", full_name="Cán Bộ Một Cửa", **officer)

    response = sign_in(client, oidc_provider)

    assert response["Location"] == "/tai-khoan/"
    user = signed_in(client)
    assert user.is_authenticated and user.pk != staff.pk
    assert not user.is_staff and not user.is_superuser
    assert user.citizen.subject == "cong-dan-1"
    staff.refresh_from_db()
    assert staff.full_name == "Cán Bộ Một Cửa" and not hasattr(staff, "citizen")


def test_an_identity_linked_to_a_staff_account_does_not_sign_in(client, oidc_provider):
    staff = UserFactory(is_staff=True)
    CitizenProfile.objects.create(
        user=staff, identity_provider=oidc_provider.issuer, subject="cong-dan-1"
    )

    response = sign_in(client, oidc_provider)

    assert response["Location"] == FAILURE_URL
    assert not signed_in(client).is_authenticated
    assert User.objects.count() == 1


def _sign_with_another_key(provider):
    provider.signing_key = new_rsa_key()  # same kid, but not the key the key set publishes


REFUSALS = {
    "signed-with-another-key": _sign_with_another_key,
    "wrong-nonce": lambda p: p.id_token_changes.update(nonce="nonce-cua-lan-dang-nhap-khac"),
    "no-nonce": lambda p: p.id_token_changes.update(nonce=None),
    "meant-for-another-client": lambda p: p.id_token_changes.update(aud="ung-dung-khac"),
    "from-another-issuer": lambda p: p.id_token_changes.update(iss="https://gia-mao.example"),
    "expired": lambda p: p.id_token_changes.update(exp=int(time.time()) - 600),
    "userinfo-about-someone-else": lambda p: p.userinfo_changes.update(sub="nguoi-khac"),
    "no-subject": lambda p: p.next_user.update(sub=""),
}


@pytest.mark.parametrize("misbehave", REFUSALS.values(), ids=REFUSALS.keys())
def test_a_token_that_does_not_hold_up_is_refused(client, oidc_provider, misbehave):
    misbehave(oidc_provider)

    response = sign_in(client, oidc_provider)

    assert response.status_code == 302 and response["Location"] == FAILURE_URL
    assert not signed_in(client).is_authenticated
    assert not User.objects.exists()
    assert len(oidc_provider.token_requests) == 1  # it got as far as the token


def test_client_secret_basic_works_too(client, oidc_provider, settings):
    settings.OIDC_TOKEN_USE_BASIC_AUTH = True

    response = sign_in(client, oidc_provider)

    assert response["Location"] == "/tai-khoan/"
    assert signed_in(client).is_authenticated
    sent = oidc_provider.token_requests[0]
    assert sent["authorization"].startswith("Basic ") and "client_secret" not in sent["form"]


def test_only_what_the_provider_vouches_for_is_taken(client, oidc_provider):
    oidc_provider.next_user = {
        "sub": "cong-dan-2",
        "family_name": "Trần",
        "middle_name": "Thị",
        "given_name": "Bình",
        "phone_number": "12345",
        "email": "binh@example.vn",
        "email_verified": False,
        "citizen_id": "0010900123",  # 10 digits: a tax code, which is fine
    }

    sign_in(client, oidc_provider)

    user = signed_in(client)
    assert user.full_name == "Trần Thị Bình"
    assert user.phone == "" and user.email == ""
    assert user.citizen.id_number == "0010900123"
    assert user.username.startswith("oidc-") and "cong-dan-2" not in user.username


def test_an_id_number_of_the_wrong_shape_is_left_out(client, oidc_provider):
    oidc_provider.next_user["citizen_id"] = "00109001234"  # 11 digits

    sign_in(client, oidc_provider)

    assert signed_in(client).citizen.id_number == ""


def test_a_citizen_account_made_staff_later_loses_its_citizen_session(client, oidc_provider):
    sign_in(client, oidc_provider)
    User.objects.filter(pk=signed_in(client).pk).update(is_staff=True)

    assert not signed_in(client).is_authenticated


def test_a_password_form_with_code_in_its_address_does_not_reach_the_provider(
    client, oidc_provider
):
    response = client.post(
        "/can-bo/dang-nhap/?code=ma-cua-ke-khac&state=x",
        {"username": "khong-co", "password": "sai-mat-khau"},
    )

    assert response.status_code == 200  # the form again, with its error
    assert not signed_in(client).is_authenticated
    assert oidc_provider.token_requests == []


def test_staff_still_sign_in_with_their_password(client, oidc_provider):
    staff = UserFactory()

    response = client.post(
        "/can-bo/dang-nhap/", {"username": staff.username, "password": "mat-khau-thu-123"}
    )

    assert response.status_code == 302
    assert signed_in(client).pk == staff.pk


def test_the_backend_is_on_only_when_a_client_id_is_configured(monkeypatch):
    from django.conf import settings

    assert BACKEND not in settings.AUTHENTICATION_BACKENDS  # the default settings

    settings_file = motcua.settings.__file__
    monkeypatch.delenv("MOTCUA_OIDC_CLIENT_ID", raising=False)
    without = runpy.run_path(settings_file)
    monkeypatch.setenv("MOTCUA_OIDC_CLIENT_ID", "motcua-tinh")
    with_id = runpy.run_path(settings_file)

    assert BACKEND not in without["AUTHENTICATION_BACKENDS"]
    assert with_id["AUTHENTICATION_BACKENDS"] == [
        "motcua.core.lockout.LockoutBackend",
        "django.contrib.auth.backends.ModelBackend",
        BACKEND,
    ]
