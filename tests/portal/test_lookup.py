"""Looking up a dossier without an account: code + last four phone digits, nothing personal."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from motcua.dossiers.lifecycle import State
from tests.world import bring_to

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_limits():
    cache.clear()


def test_lookup_shows_state_and_timeline_without_personal_data(client, world):
    dossier = bring_to(world, State.PROCESSING)
    page = client.get(reverse("portal:lookup"), {"ma": dossier.code, "dt": "5678"}).content.decode()
    assert f"Hồ sơ {dossier.code}" in page
    assert "Đang xử lý" in page and "Chuyển bước tiếp theo" in page
    assert "Nguyễn Văn Bình" not in page and "0912345678" not in page


def test_wrong_code_and_wrong_phone_look_the_same(client, world):
    dossier = bring_to(world, State.RECEIVED)
    wrong_phone = client.get(reverse("portal:lookup"), {"ma": dossier.code, "dt": "1111"})
    wrong_code = client.get(
        reverse("portal:lookup"), {"ma": "000.00.00.X00-260101-0009", "dt": "5678"}
    )
    assert wrong_phone.status_code == wrong_code.status_code == 200
    message = "Không tìm thấy hồ sơ với mã và số điện thoại này."
    assert message in wrong_phone.content.decode() and message in wrong_code.content.decode()


def test_qr_link_prefills_the_code(client, world):
    dossier = bring_to(world, State.RECEIVED)
    page = client.get(reverse("portal:lookup"), {"ma": dossier.code}).content.decode()
    assert f'value="{dossier.code}"' in page and "Không tìm thấy" not in page


def test_bad_phone_digits_get_a_clear_message(client, world):
    page = client.get(reverse("portal:lookup"), {"ma": "X", "dt": "12a"}).content.decode()
    assert "Nhập đúng 4 chữ số cuối của số điện thoại." in page


def test_enumeration_is_rate_limited(client, world, settings):
    settings.MOTCUA = {**settings.MOTCUA, "LOOKUP_PER_MINUTE": 3}
    for n in range(3):
        assert (
            client.get(reverse("portal:lookup"), {"ma": f"C{n}", "dt": "0000"}).status_code == 200
        )
    limited = client.get(reverse("portal:lookup"), {"ma": "C9", "dt": "0000"})
    assert limited.status_code == 429
    assert "quá nhiều lần" in limited.content.decode()
