"""Attack findings of 2 December: brute force through X-Forwarded-For, no staff lockout.

Each test repeats the attack as it was made, and shows it now fails.
"""

import pytest
import time_machine
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.dossiers.lifecycle import TRANSITIONS
from motcua.dossiers.models import State
from motcua.org.models import Role
from motcua.org.twofactor import TWO_FACTOR_ROLES
from tests.factories import AgencyFactory, UserFactory
from tests.world import bring_to

pytestmark = pytest.mark.django_db
PASSWORD = "mat-khau-thu-123"


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())[-4:]


def _wrong(phone: str, n: int) -> str:
    right = _digits(phone)
    return next(f"{d:04d}" for d in range(n, 10_000) if f"{d:04d}" != right)


# --- the client's address ---------------------------------------------------------------


def test_a_forged_forwarded_header_is_ignored_without_a_declared_proxy(client, world):
    """The attack: a new X-Forwarded-For per request made every guess look like a new client."""
    dossier = bring_to(world, State.RECEIVED)
    statuses = [
        client.get(
            reverse("api:lookup", args=[dossier.code]),
            {"phone": _wrong(dossier.applicant_phone, n)},
            HTTP_X_FORWARDED_FOR=f"10.0.{n // 250}.{n % 250}",
        ).status_code
        for n in range(30)
    ]
    assert statuses[:10] == [404] * 10
    assert set(statuses[10:]) == {429}


def test_behind_a_declared_proxy_the_hop_it_appended_is_the_client(client, world, settings):
    settings.TRUSTED_PROXIES = 1
    settings.MOTCUA = {**settings.MOTCUA, "LOOKUP_PER_MINUTE": 3}
    lookup = reverse("portal:lookup")
    # The client wrote the first hop itself; nginx appended the real address.
    for n in range(3):
        forged = f"203.0.113.{n}, 198.51.100.7"
        client.get(lookup, {"ma": f"X-{n}", "dt": "0000"}, HTTP_X_FORWARDED_FOR=forged)
    refused = client.get(
        lookup, {"ma": "X-9", "dt": "0000"}, HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.7"
    )
    assert refused.status_code == 429
    other = client.get(lookup, {"ma": "X-9", "dt": "0000"}, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert other.status_code == 200


def test_the_token_endpoint_throttle_ignores_forged_headers(client):
    """Ten token requests a minute per client (MOTCUA_TOKEN_RATE), a new forged address each."""
    statuses = [
        client.post(
            reverse("api:token"),
            {"username": f"nobody{n}", "password": "y"},
            HTTP_X_FORWARDED_FOR=f"10.9.9.{n}",
        ).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [400] * 10 and statuses[10:] == [429, 429]


# --- guesses about one dossier, from anywhere -------------------------------------------


def test_a_code_under_attack_stops_answering_whatever_the_address(client, world, settings):
    """10,000 digits guessed from rotating addresses: after ten wrong ones the code answers
    nobody for the hour, not even the right digits; other dossiers are not affected."""
    settings.TRUSTED_PROXIES = 1
    dossier = bring_to(world, State.RECEIVED)
    other = bring_to(world, State.RECEIVED)
    url = reverse("api:lookup", args=[dossier.code])
    for n in range(10):
        wrong = client.get(
            url, {"phone": _wrong(dossier.applicant_phone, n)}, HTTP_X_FORWARDED_FOR=f"10.1.1.{n}"
        )
        assert wrong.status_code == 404
    right = {"phone": _digits(dossier.applicant_phone)}
    assert client.get(url, right, HTTP_X_FORWARDED_FOR="10.2.2.2").status_code == 429
    page = client.get(
        reverse("portal:lookup"),
        {"ma": dossier.code, "dt": right["phone"]},
        HTTP_X_FORWARDED_FOR="10.2.2.3",
    )
    assert page.status_code == 429 and "tra cứu sai" in page.content.decode()
    fine = client.get(
        reverse("api:lookup", args=[other.code]),
        {"phone": _digits(other.applicant_phone)},
        HTTP_X_FORWARDED_FOR="10.2.2.4",
    )
    assert fine.status_code == 200
    with time_machine.travel("2099-01-01 08:00 +07:00"):
        later = client.get(url, right, HTTP_X_FORWARDED_FOR="10.2.2.5")
    assert later.status_code == 200


# --- staff, citizens and API tokens: lockout ----------------------------------------------


def _staff_login(client, username, password, address="127.0.0.1"):
    return client.post(
        reverse("org:login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_staff_lockout_after_wrong_passwords_refuses_the_right_one_too(client):
    """The attack: 200 wrong passwords, then the right one logged in."""
    user = UserFactory(roles=[(Role.SPECIALIST, AgencyFactory())])
    for _ in range(5):
        page = _staff_login(client, user.username, "sai-mat-khau").content.decode()
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in page
    locked = _staff_login(client, user.username, PASSWORD).content.decode()
    assert "Tài khoản tạm khóa đăng nhập" in locked
    assert "_auth_user_id" not in client.session
    with time_machine.travel("2099-01-01 08:00 +07:00"):
        response = _staff_login(client, user.username, PASSWORD)
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_a_locked_attempt_costs_no_password_hash(client, monkeypatch):
    user = UserFactory(roles=[(Role.SPECIALIST, AgencyFactory())])
    for _ in range(5):
        _staff_login(client, user.username, "sai")
    from django.contrib.auth import hashers

    checked = []
    real = hashers.check_password
    monkeypatch.setattr(hashers, "check_password", lambda *a, **k: checked.append(1) or real(*a))
    for _ in range(20):
        _staff_login(client, user.username, "sai")
    assert checked == []


def test_many_addresses_lock_the_account_and_one_office_does_not_lock_the_next(client, settings):
    settings.TRUSTED_PROXIES = 1
    user = UserFactory(roles=[(Role.SPECIALIST, AgencyFactory())])
    neighbour = UserFactory(roles=[(Role.SPECIALIST, AgencyFactory())])
    for n in range(20):
        client.post(
            reverse("org:login"),
            {"username": user.username, "password": "sai"},
            HTTP_X_FORWARDED_FOR=f"10.3.{n}.1",
        )
    fresh_address = {"HTTP_X_FORWARDED_FOR": "10.4.4.4"}
    locked = client.post(
        reverse("org:login"), {"username": user.username, "password": PASSWORD}, **fresh_address
    )
    assert "Tài khoản tạm khóa" in locked.content.decode()
    # Another officer behind the same addresses signs in as usual.
    response = client.post(
        reverse("org:login"),
        {"username": neighbour.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="10.3.0.1",
    )
    assert response.status_code == 302


def test_a_success_clears_earlier_mistakes(client):
    user = UserFactory(roles=[(Role.SPECIALIST, AgencyFactory())])
    for _ in range(4):
        _staff_login(client, user.username, "sai")
    assert _staff_login(client, user.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _staff_login(client, user.username, "sai")
    assert _staff_login(client, user.username, PASSWORD).status_code == 302


def test_admin_sign_in_shares_the_lockout(client):
    user = UserFactory(is_superuser=True, roles=[(Role.ADMINISTRATOR, AgencyFactory())])
    for _ in range(5):
        client.post(
            reverse("admin:login"), {"username": user.username, "password": "sai", "next": "/"}
        )
    page = _staff_login(client, user.username, PASSWORD).content.decode()
    assert "Tài khoản tạm khóa" in page


def test_api_token_exchange_locks_out(client):
    user = UserFactory(roles=[(Role.SPECIALIST, AgencyFactory())])
    url = reverse("api:token")
    for _ in range(5):
        assert client.post(url, {"username": user.username, "password": "sai"}).status_code == 400
    locked = client.post(url, {"username": user.username, "password": PASSWORD})
    assert locked.status_code == 429 and "tạm khóa" in locked.json()["detail"]


def test_citizen_sign_in_locks_out(client):
    citizen = UserFactory(is_staff=False, username="0912345678")
    url = reverse("portal:sign_in")
    for _ in range(5):
        client.post(url, {"contact": "0912345678", "password": "sai"})
    page = client.post(url, {"contact": "0912345678", "password": PASSWORD}).content.decode()
    assert "Tài khoản tạm khóa" in page
    assert "_auth_user_id" not in client.session
    assert citizen.pk


def test_wrong_second_factor_codes_lock_the_second_step(client, settings):
    settings.MOTCUA = {**settings.MOTCUA, "REQUIRE_2FA": "none"}
    user = UserFactory(roles=[(Role.SPECIALIST, AgencyFactory())])
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    assert _staff_login(client, user.username, PASSWORD).status_code == 302
    for _ in range(5):
        page = client.post(reverse("org:verify"), {"token": "000000"}).content.decode()
        assert "Mã xác thực không đúng" in page
    page = client.post(reverse("org:verify"), {"token": "000000"}).content.decode()
    assert "Tài khoản tạm khóa" in page


# --- who must use a second factor ---------------------------------------------------------


def test_every_role_that_approves_must_use_a_second_factor():
    approve = next(t for t in TRANSITIONS if t.action == "approve")
    assert set(approve.staff_roles) <= TWO_FACTOR_ROLES


@pytest.mark.parametrize(
    ("role", "required"),
    [
        (Role.RECEPTION_OFFICER, False),
        (Role.SPECIALIST, False),
        (Role.DIVISION_HEAD, True),
        (Role.AGENCY_LEADER, True),
        (Role.SUPERVISOR, True),
        (Role.ADMINISTRATOR, True),
    ],
)
def test_production_requires_a_second_factor_of_the_roles_that_need_it(
    client, settings, role, required
):
    settings.MOTCUA = {**settings.MOTCUA, "REQUIRE_2FA": "roles"}
    user = UserFactory(roles=[(role, AgencyFactory())])
    response = _staff_login(client, user.username, PASSWORD)
    home = client.get(reverse("backoffice:home"))
    if required:
        assert home.status_code == 302
        assert home["Location"].startswith(reverse("org:two_factor_setup"))
        token = client.post(reverse("api:token"), {"username": user.username, "password": PASSWORD})
        assert token.status_code == 400 and "otp_token" in token.json()
    else:
        assert response.status_code == 302 and home.status_code == 200
