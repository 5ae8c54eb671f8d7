"""The home page offers search first, then popular procedures, life events, fields, agencies."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_offers_every_way_in(client, demo_province):
    page = client.get(reverse("portal:home")).content.decode()
    assert page.index('type="search"') < page.index("Thủ tục được dùng nhiều")
    for text in ("Sinh con", "Kết hôn", "Xây nhà ở", "Mở hộ kinh doanh", "Thủ tục theo cơ quan"):
        assert text in page


def test_a_life_event_lists_its_procedures(client, demo_province):
    page = client.get(reverse("portal:life_event", args=["mo-ho-kinh-doanh"])).content.decode()
    assert "Đăng ký thành lập hộ kinh doanh" in page
    assert client.get(reverse("portal:life_event", args=["khong-co"])).status_code == 404


def test_procedure_page_ends_with_how_to_submit(client, demo_province):
    online = client.get(reverse("portal:procedure_detail", args=["1.001193"])).content.decode()
    assert "Nộp hồ sơ trực tuyến" in online and "Hoặc nộp trực tiếp" in online
    offline = client.get(reverse("portal:procedure_detail", args=["2.001019"])).content.decode()
    assert "Thủ tục này chưa nhận hồ sơ trực tuyến." in offline
    assert 'href="/thu-tuc/2.001019/nop-truc-tuyen/"' not in offline
