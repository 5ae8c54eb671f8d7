"""Staff sign-in, optional and required TOTP two-factor, and the admin behind it."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.org.models import Role
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "mat-khau-thu-123"


def _login(client, user):
    return client.post(
        reverse("org:login"), {"username": user.username, "password": PASSWORD}, follow=True
    )


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_wrong_password_says_so_in_vietnamese(client):
    user = UserFactory()
    response = client.post(reverse("org:login"), {"username": user.username, "password": "sai"})
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_without_2fa_reaches_home_when_not_required(client, settings):
    settings.MOTCUA = {**settings.MOTCUA, "REQUIRE_2FA": False}
    agency = AgencyFactory(name="Ủy ban nhân dân phường Một")
    user = UserFactory(full_name="Nguyễn Thị Hoa", roles=[(Role.RECEPTION_OFFICER, agency)])
    response = _login(client, user)
    page = response.content.decode()
    assert "Xin chào, Nguyễn Thị Hoa" in page
    assert "Cán bộ tiếp nhận (Một cửa)" in page and "Ủy ban nhân dân phường Một" in page


def test_required_2fa_forces_setup_then_lets_in(client, settings):
    settings.MOTCUA = {**settings.MOTCUA, "REQUIRE_2FA": True}
    user = UserFactory(roles=[(Role.SPECIALIST, AgencyFactory())])
    response = _login(client, user)
    assert response.redirect_chain[-1][0].startswith(reverse("org:two_factor_setup"))
    # Any staff page sends the officer back to the set-up page.
    response = client.get(reverse("backoffice:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:two_factor_setup"))
    admin = client.get("/quan-tri/")
    assert admin["Location"].startswith(reverse("org:two_factor_setup"))

    device = TOTPDevice.objects.get(user=user, confirmed=False)
    bad = client.post(reverse("org:two_factor_setup"), {"token": "000000"})
    assert "Mã xác thực không đúng" in bad.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp waits a second after a failure; the test does not
    response = client.post(reverse("org:two_factor_setup"), {"token": _code(device)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("backoffice:home")
    device.refresh_from_db()
    assert device.confirmed


def test_officer_with_a_device_must_enter_a_code_after_the_password(client, settings):
    settings.MOTCUA = {**settings.MOTCUA, "REQUIRE_2FA": False}
    user = UserFactory(roles=[(Role.SPECIALIST, AgencyFactory())])
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = _login(client, user)
    assert response.redirect_chain[-1][0].startswith(reverse("org:verify"))
    assert client.get(reverse("backoffice:home")).status_code == 302
    wrong = client.post(reverse("org:verify"), {"token": "12345"})
    assert "Mã xác thực gồm 6 chữ số." in wrong.content.decode()
    response = client.post(reverse("org:verify"), {"token": _code(device)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("backoffice:home")
    assert client.get(reverse("backoffice:home")).status_code == 200


def test_public_pages_are_not_blocked_by_2fa(client, settings):
    settings.MOTCUA = {**settings.MOTCUA, "REQUIRE_2FA": True}
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("portal:procedure_list")).status_code == 200


def test_admin_uses_our_login_page(client):
    response = client.get("/quan-tri/", follow=True)
    assert "Đăng nhập cán bộ" in response.content.decode()


def test_citizen_account_cannot_open_the_staff_home(client):
    citizen = UserFactory(is_staff=False)
    client.force_login(citizen)
    assert client.get(reverse("backoffice:home")).status_code == 403


def test_logout_needs_post(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("org:logout")).status_code == 405
    client.post(reverse("org:logout"))
    assert "_auth_user_id" not in client.session
