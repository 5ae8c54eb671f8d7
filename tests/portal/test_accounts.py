"""Citizen accounts: sign up with a phone or an e-mail, sign in, the profile, and the wall
between citizens' pages and staff accounts."""

import pytest
from django.urls import reverse

from motcua.dossiers.errors import InvalidInput
from motcua.org.models import Role, User
from motcua.portal import services
from motcua.portal.models import CitizenProfile
from tests.portal.citizen import citizen

pytestmark = pytest.mark.django_db
GOOD = "Mot-cua-2026!"


def test_sign_up_with_a_phone_signs_in_and_prefills(client):
    answer = client.post(
        reverse("portal:sign_up"),
        {
            "full_name": "  Lê   Thị Hoa ",
            "contact": "+84 903 111 222",
            "password": GOOD,
            "password2": GOOD,
        },
    )
    assert answer.status_code == 302 and answer["Location"] == reverse("portal:profile")
    user = User.objects.get(username="0903111222")
    assert user.full_name == "Lê Thị Hoa" and user.phone == "0903111222" and not user.is_staff
    assert CitizenProfile.objects.filter(user=user).exists()
    page = client.get(reverse("portal:profile")).content.decode()
    assert 'value="Lê Thị Hoa"' in page and "Đã tạo tài khoản" in page


def test_sign_up_explains_every_mistake_at_once_and_saves_nothing(client):
    answer = client.post(
        reverse("portal:sign_up"),
        {"full_name": "", "contact": "abc", "password": "123", "password2": "124"},
    )
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "Nhập số điện thoại di động (10 số) hoặc địa chỉ thư điện tử." in page
    assert User.objects.count() == 0


def test_the_same_contact_cannot_sign_up_twice():
    services.citizen_sign_up(full_name="A", contact="hoa@example.vn", password=GOOD, password2=GOOD)
    with pytest.raises(InvalidInput) as error:
        services.citizen_sign_up(
            full_name="B", contact="HOA@example.vn", password=GOOD, password2=GOOD
        )
    assert "Đã có tài khoản" in str(error.value.fields["contact"])


def test_sign_in_with_phone_in_any_format(client):
    citizen()
    answer = client.post(
        reverse("portal:sign_in"),
        {"contact": "0903.111.222", "password": GOOD, "next": "/tai-khoan/"},
    )
    assert answer.status_code == 302 and answer["Location"] == "/tai-khoan/"


def test_wrong_password_and_staff_accounts_get_the_same_refusal(client, world):
    citizen()
    wrong = client.post(reverse("portal:sign_in"), {"contact": "0903111222", "password": "x"})
    officer = world.staff[Role.SPECIALIST]
    staff = client.post(
        reverse("portal:sign_in"), {"contact": officer.username, "password": "mat-khau-thu-123"}
    )
    message = "Số điện thoại/thư điện tử hoặc mật khẩu không đúng."
    assert message in wrong.content.decode() and message in staff.content.decode()
    assert "_auth_user_id" not in client.session


def test_next_never_leaves_the_site(client):
    citizen()
    answer = client.post(
        reverse("portal:sign_in"),
        {"contact": "0903111222", "password": GOOD, "next": "https://evil.example/"},
    )
    assert answer["Location"] == reverse("portal:my_dossiers")


def test_sign_in_attempts_are_limited(client, settings):
    citizen()
    for _ in range(10):
        client.post(reverse("portal:sign_in"), {"contact": "0903111222", "password": "sai"})
    blocked = client.post(reverse("portal:sign_in"), {"contact": "0903111222", "password": GOOD})
    assert "Quá nhiều lần đăng nhập" in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_profile_changes_and_bad_values_change_nothing(client):
    user = citizen()
    client.force_login(user)
    bad = client.post(
        reverse("portal:profile"),
        {
            "kind": 1,
            "full_name": "Lê Thị Hoa",
            "id_number": "12ab",
            "phone": "",
            "email": "",
            "address": "Mới",
        },
    )
    assert "Số định danh cá nhân có 12 chữ số" in bad.content.decode()
    assert CitizenProfile.objects.get(user=user).address == "Ấp 3, xã Thử"
    client.post(
        reverse("portal:profile"),
        {
            "kind": 1,
            "full_name": "Lê Thị Hoa",
            "id_number": "079200009999",
            "phone": "0903111222",
            "email": "",
            "address": "Ấp 4",
        },
    )
    assert CitizenProfile.objects.get(user=user).id_number == "079200009999"


def test_citizen_pages_ask_to_sign_in_and_turn_staff_away(client, world):
    page = client.get(reverse("portal:my_dossiers"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("portal:sign_in"))
    client.force_login(world.staff[Role.RECEPTION_OFFICER])
    turned = client.get(reverse("portal:my_dossiers"))
    assert turned.status_code == 403 and "Đây là tài khoản cán bộ" in turned.content.decode()


def test_sign_out_needs_a_post(client):
    client.force_login(citizen())
    assert client.get(reverse("portal:sign_out")).status_code == 405
    client.post(reverse("portal:sign_out"))
    assert "_auth_user_id" not in client.session
