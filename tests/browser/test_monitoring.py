"""Supervisors read the indicators in a real browser: the province at a glance, rankings, a
unit, a field, the dossiers behind a figure, the Excel report; a district sees its own only."""

import re
from io import BytesIO

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from motcua.catalog.models import Field
from motcua.demo.generator.run import generate
from motcua.monitoring import figures, tally
from motcua.monitoring.figures import Scope
from motcua.monitoring.periods import Period
from motcua.monitoring.reports import report_values
from motcua.monitoring.subjects import unit_agencies
from motcua.org.models import Unit

SHOTS = "/tmp/motcua-shots"


@pytest.fixture
def province(transactional_db):
    from motcua.demo.services import demo_province_load

    demo_province_load()
    generate(
        dossiers=200,
        years=1,
        seed=5,
        path="bulk",
        communes_per_district=1,
        citizens=10,
        progress=False,
    )
    tally.rebuild()


@pytest.fixture
def sign_in(browser, live_server):
    contexts = []

    def open_as(username, viewport=None):
        context = browser.new_context(
            viewport=viewport or {"width": 1280, "height": 900},
            locale="vi-VN",
            base_url=live_server.url,
            accept_downloads=True,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto("/can-bo/dang-nhap/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill("motcua-demo")
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
        return page

    yield open_as
    for context in contexts:
        context.close()


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _year() -> Period:
    return Period.year(timezone.localdate().year)


def test_province_dashboard_figures_lead_to_their_dossiers(province, sign_in):
    page = sign_in("giamsat.tinh")
    page.get_by_role("link", name="Theo dõi, đánh giá").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Theo dõi, đánh giá")
    page.get_by_label("Kỳ", exact=True).select_option(label=_year().label)
    page.get_by_role("button", name="Xem").click()
    expect(page.locator("p.muted").first).to_contain_text(_year().label)
    page.screenshot(path=f"{SHOTS}/monitoring-province.png", full_page=True)
    # Tiles carry a band and a trend line drawn on the server.
    # Seven rate tiles: 2.1, on time, online, 3.6 online payment, 4.2, 4.1, 5.4.
    assert page.locator(".rate-tiles .tile svg[role=img]").count() == 7
    assert page.locator(".rate-tiles .tile[class*=band-]").count() == 7
    expected = figures.total(Scope(), _year()).count("received")
    received = page.locator(".count-grid a", has_text="Hồ sơ tiếp nhận trong kỳ")
    assert _number(received.locator("strong").inner_text()) == expected
    for label in ("Giải quyết quá hạn", "Đang giải quyết, quá hạn", "Tiếp nhận trực tuyến"):
        link = page.locator(".count-grid a", has_text=label)
        shown = _number(link.locator("strong").inner_text())
        link.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(label)
        total = int(page.locator("[data-total]").get_attribute("data-total"))
        assert total == shown, label
        rows = page.locator("tbody tr").count()
        assert rows == min(total, 25) or (total == 0 and rows == 1)
        page.go_back()
    # Rankings of departments, districts and communes, each a link to the unit's page.
    for title in ("Sở, ban, ngành", "Cấp huyện", "Cấp xã"):
        expect(page.get_by_role("heading", name=f"Xếp hạng: {title}")).to_be_visible()
    district_link = page.locator("#rank-cap-huyen ~ div a").first
    name = district_link.inner_text()
    district_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    page.screenshot(path=f"{SHOTS}/monitoring-district-page.png", full_page=True)


def test_field_page_and_excel_report(province, sign_in):
    page = sign_in("giamsat.tinh")
    page.goto(f"/can-bo/giam-sat/?ky={_year().key}")
    field_link = page.locator("#fields-title ~ div tbody th a").first
    name = field_link.inner_text()
    field_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    assert page.locator("table.figures-table tbody tr").count() >= 1
    with page.expect_download() as download:
        page.get_by_role("link", name="Báo cáo (Excel)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as saved:
        sheet = openpyxl.load_workbook(BytesIO(saved.read())).worksheets[0]
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert any("BÁO CÁO" in str(v) for row in rows for v in row)
    # The report's total row holds the field page's figures.
    field = Field.objects.get(name=name)
    scope = Scope(procedures=frozenset(field.procedures.values_list("pk", flat=True)))
    total = next(row for row in rows if "Tổng cộng" in row)
    assert [v for v in total if isinstance(v, int)] == report_values(figures.total(scope, _year()))


def test_a_district_supervisor_sees_the_district_and_its_communes_only(province, sign_in):
    page = sign_in("giamsat.tanan", viewport={"width": 375, "height": 740})
    page.goto(f"/can-bo/giam-sat/?ky={_year().key}")
    expect(page.get_by_role("heading", name="Xếp hạng: Sở, ban, ngành")).to_have_count(0)
    page.screenshot(path=f"{SHOTS}/monitoring-district-phone.png", full_page=True)
    district = Unit.objects.get(code="794")
    expected = figures.total(Scope(agencies=unit_agencies(district)), _year()).count("received")
    received = page.locator(".count-grid a", has_text="Hồ sơ tiếp nhận trong kỳ")
    assert _number(received.locator("strong").inner_text()) == expected
    other = Unit.objects.filter(tier="district").exclude(pk=district.pk).first()
    response = page.goto(f"/can-bo/giam-sat/don-vi/{other.pk}/")
    assert response.status == 403


def test_monitoring_pages_pass_axe(province, sign_in):
    from tests.browser.test_accessibility import serious

    page = sign_in("giamsat.tinh")
    district = Unit.objects.filter(tier="district").first()
    problems = {}
    for url in (
        f"/can-bo/giam-sat/?ky={_year().key}",
        f"/can-bo/giam-sat/don-vi/{district.pk}/",
        "/can-bo/giam-sat/linh-vuc/HT/",
        f"/can-bo/giam-sat/ho-so/?chi_so=received&ky={_year().key}",
    ):
        page.goto(url)
        problems[url] = serious(page)
    assert {url: found for url, found in problems.items() if found} == {}
