"""The supervisors' pages: each figure links to exactly its dossiers, scopes hold, bad
parameters get a message, and writes show at once."""

import re
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from motcua.catalog.models import Field
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.monitoring import figures
from motcua.monitoring.figures import Scope
from motcua.monitoring.periods import Period
from motcua.monitoring.subjects import unit_agencies
from motcua.org.models import Agency, Tier, Unit, User
from motcua.org.selectors import org_tree

pytestmark = pytest.mark.django_db

# A link to a drill-down list and the count it shows (not a percentage).
DRILL = re.compile(
    r'href="(/can-bo/giam-sat/ho-so/\?[^"]+)"[^>]*>\s*(?:<[^>]+>\s*)*([\d.]+)(?![\d.,%])'
)


def _links(html: str) -> list[tuple[str, int]]:
    return [(unescape(url), int(n.replace(".", ""))) for url, n in DRILL.findall(html)]


def _listed(client, url: str) -> int:
    page = client.get(url)
    assert page.status_code == 200, url
    return int(re.search(r'data-total="(\d+)"', page.content.decode())[1])


def _year(now) -> str:
    return str(timezone.localtime(now).year)


def test_every_figure_on_the_dashboard_links_to_as_many_dossiers(client, history):
    client.force_login(User.objects.get(username="giamsat.tinh"))
    for period in ("", f"?ky={_year(history)}"):
        page = client.get(reverse("monitoring:dashboard") + period)
        assert page.status_code == 200
        links = _links(page.content.decode())
        assert len(links) > 20
        for url, shown in links:
            assert _listed(client, url) == shown, url


def test_unit_agency_and_field_pages(client, history):
    client.force_login(User.objects.get(username="giamsat.tinh"))
    district = Unit.objects.filter(tier=Tier.DISTRICT).first()
    agency = Agency.objects.filter(kind=Agency.Kind.DEPARTMENT).first()
    field = Field.objects.filter(procedures__isnull=False).first()
    year = f"?ky={_year(history)}"
    for url in (
        reverse("monitoring:unit", args=[district.pk]),
        reverse("monitoring:agency", args=[agency.pk]),
        reverse("monitoring:field", args=[field.code]),
    ):
        page = client.get(url + year)
        assert page.status_code == 200
        html = page.content.decode()
        links = _links(html)
        assert links, url
        for link, shown in links[:12]:
            assert _listed(client, link) == shown, link


def test_a_district_supervisor_sees_only_the_district_and_its_communes(client, history):
    user = User.objects.get(username="giamsat.tanan")
    district = Unit.objects.get(code="794")
    mine = unit_agencies(district)
    client.force_login(user)
    page = client.get(reverse("monitoring:dashboard") + f"?ky={_year(history)}")
    html = page.content.decode()
    assert page.status_code == 200
    assert f"Theo dõi, đánh giá: {district.name}" in unescape(html)
    # Rankings only of what is inside the district: no departments, no other district.
    assert "Sở, ban, ngành" not in html
    for other in Unit.objects.filter(tier=Tier.DISTRICT).exclude(pk=district.pk):
        assert f"/can-bo/giam-sat/don-vi/{other.pk}/" not in html
    # The totals are the district's.
    period = Period.year(timezone.localtime(history).year)
    expected = figures.total(Scope(agencies=mine), period).count("received")
    assert f'chi_so=received&amp;ky={period.key}">{expected}' in html.replace(".", "") or (
        expected == 0
    )
    other = Unit.objects.filter(tier=Tier.DISTRICT).exclude(pk=district.pk).first()
    department = Agency.objects.filter(kind=Agency.Kind.DEPARTMENT).first()
    for url in (
        reverse("monitoring:unit", args=[other.pk]),
        reverse("monitoring:agency", args=[department.pk]),
        reverse("monitoring:dossiers") + f"?chi_so=received&don_vi={other.pk}",
        reverse("monitoring:report", args=["xlsx"]) + f"?don_vi={other.pk}",
    ):
        assert client.get(url).status_code == 403, url
    # The drill-down of the whole scope lists only the district's dossiers.
    listing = client.get(reverse("monitoring:dossiers") + f"?chi_so=received&ky={period.key}")
    codes = re.findall(r"/can-bo/ho-so/([^/]+)/", listing.content.decode())
    for code in codes:
        assert Dossier.objects.get(code=code).receiving_agency_id in mine


def test_officers_without_a_supervising_role_are_refused(client, history):
    client.force_login(User.objects.get(username="tiepnhan.p1"))
    assert client.get(reverse("monitoring:dashboard")).status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        "?ky=2026-13",
        "?ky=abc",
        "?tu=2026-02-30&den=2026-03-01",
        "?tu=2026-05-01&den=2026-04-01",
        "?ky=1999",
        "?ky=" + "9" * 500,
    ],
)
def test_bad_periods_get_a_message_and_the_current_month(client, history, query):
    client.force_login(User.objects.get(username="giamsat.tinh"))
    page = client.get(reverse("monitoring:dashboard") + query)
    assert page.status_code == 200
    html = page.content.decode()
    said = [m for m in ("không hợp lệ", "ngoài dữ liệu", "không được sau") if m in html]
    assert len(said) == 1 and html.count(said[0]) == 1  # one message, once
    today = timezone.localdate()
    assert f"Tháng {today.month}/{today.year}" in html


@pytest.mark.parametrize(
    "query", ["?chi_so=nope", "?chi_so=received&don_vi=abc", "?chi_so=received&don_vi=999999"]
)
def test_bad_drill_down_parameters_are_not_found(client, history, query):
    client.force_login(User.objects.get(username="giamsat.tinh"))
    assert client.get(reverse("monitoring:dossiers") + query).status_code == 404


def test_a_reception_shows_on_the_dashboard_at_once(client, history):
    officer = User.objects.get(username="tiepnhan.p1")
    dossier = Dossier.objects.filter(receiving_agency=officer.agency).first()
    client.force_login(User.objects.get(username="giamsat.tinh"))
    period = Period.month(timezone.localdate().year, timezone.localdate().month)
    before = figures.total(Scope(), period).count("received")
    services.dossier_receive_at_counter(
        actor=officer,
        procedure=dossier.procedure,
        agency=officer.agency,
        applicant={"name": "Nguyễn Văn Mới", "phone": "0912345678"},
    )
    assert figures.total(Scope(), period).count("received") == before + 1
    page = client.get(reverse("monitoring:dashboard"))
    links = dict(_links(page.content.decode()))
    received = [
        n for url, n in links.items() if parse_qs(urlsplit(url).query)["chi_so"] == ["received"]
    ]
    assert before + 1 in received


def test_thresholds_set_by_the_administrator_recolour_every_figure(client, history):
    from motcua.monitoring.models import BandScale

    client.force_login(User.objects.get(username="giamsat.tinh"))
    url = reverse("monitoring:dashboard") + f"?ky={_year(history)}"
    before = client.get(url).content.decode()
    # Only a perfect figure is "good" once green starts at 100 %; the rest turn red.
    scale = BandScale(green_from=100, yellow_from=Decimal("99.99"), orange_from=Decimal("99.98"))
    scale.full_clean()
    scale.save()
    after = client.get(url).content.decode()
    assert after.count("band-green") < before.count("band-green")
    assert after.count("band-red") > before.count("band-red")
    with pytest.raises(Exception, match="giảm dần"):
        BandScale(green_from=50, yellow_from=70, orange_from=20).full_clean()


def test_a_queue_exports_as_shown(client, history):
    from io import BytesIO

    import openpyxl

    # Queues are the worklists of those who handle dossiers (a supervisor has none).
    officer = User.objects.get(username="tiepnhan.p1")
    client.force_login(officer)
    page = client.get("/can-bo/hang-cho/tat-ca/?trang_thai=returned")
    shown = int(re.search(r"(\d+) hồ sơ", page.content.decode().replace(".", ""))[1])
    export = client.get("/can-bo/hang-cho/tat-ca/excel/?trang_thai=returned")
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(BytesIO(export.content)).worksheets[0]
    codes = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True) if row[0]]
    assert len(codes) == shown > 0
    here = org_tree().agency_descendants(officer.agency_id)
    assert set(codes) == set(
        Dossier.objects.filter(state="returned")
        .filter(
            Q(receiving_agency_id__in=here)
            | Q(current_agency_id__in=here)
            | Q(steps__agency_id__in=here)
        )
        .values_list("code", flat=True)
    )
