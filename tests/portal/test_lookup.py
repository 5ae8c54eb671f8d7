"""Looking up a dossier without an account: code + last four phone digits, nothing personal."""

import re

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
    assert "Đang xử lý" in page and "Đã tiếp nhận hồ sơ" in page
    assert "Chuyển bước tiếp theo" not in page  # an internal hand-over
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


def test_a_hundred_wrong_guesses_are_stopped_and_reveal_nothing(client, world):
    """At the default limit: twenty wrong answers, all alike, then refusals — even for the one
    right pair, so a lucky guess after the limit learns nothing."""
    dossier = bring_to(world, State.RECEIVED)
    prefix = dossier.code.rsplit("-", 1)[0]
    answers = [
        client.get(reverse("portal:lookup"), {"ma": f"{prefix}-{n:04d}", "dt": "0000"})
        for n in range(100)
    ]
    statuses = [a.status_code for a in answers]
    assert statuses[:20] == [200] * 20 and set(statuses[20:]) == {429}
    # Apart from echoing the typed code (in its box and the language link), every refusal
    # reads the same.
    bodies = {re.sub(re.escape(prefix) + r"-\d{4}", "", a.content.decode()) for a in answers[:20]}
    assert len(bodies) == 1 and "Không tìm thấy hồ sơ" in bodies.pop()
    for answer in answers:
        page = answer.content.decode()
        assert dossier.code not in page or f'value="{dossier.code}"' in page
        assert "Nguyễn Văn Bình" not in page and "Đã tiếp nhận" not in page
    right = client.get(reverse("portal:lookup"), {"ma": dossier.code, "dt": "5678"})
    assert right.status_code == 429 and "Đã tiếp nhận" not in right.content.decode()
