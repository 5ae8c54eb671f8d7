"""Monitoring of notifications (issue 16, point 8): messages per channel, event and agency,
the delivery rates, failures by reason and lookups by channel match a recount; every number
opens exactly its messages, masked and within the reader's scope; exports keep typed text as
text; the handling report carries the figures."""

import random
import re
import subprocess
from datetime import date
from html import unescape
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from motcua.dossiers import services
from motcua.monitoring import messages
from motcua.monitoring.figures import Scope
from motcua.monitoring.periods import Period
from motcua.monitoring.subjects import unit_agencies
from motcua.notify.models import Message
from motcua.org.models import Agency, Unit, User
from tests.monitoring.outbox import random_lookups, random_messages, recount

pytestmark = pytest.mark.django_db

OCTOBER = Period.month(2026, 10)
PAGE = reverse("monitoring:notifications")
LIST = reverse("monitoring:messages")
# A link to the messages behind a number, and the number.
COUNT_LINK = re.compile(r'href="(/can-bo/giam-sat/thong-bao/tin/\?[^"]+)">([\d.]+)</a>')


@pytest.fixture
def outbox(demo_province):
    """Messages of September to November 2026 for every agency (and none), two dossiers
    received at a ward, and lookup counts of the same months."""
    rng = random.Random(16)
    officer = User.objects.get(username="tiepnhan.p1")
    procedure = officer.agency.procedures.first()
    dossiers = [
        services.dossier_receive_at_counter(
            actor=officer,
            procedure=procedure,
            agency=officer.agency,
            applicant={"name": "Nguyễn Văn Bình", "phone": "0912345678"},
        ).dossier
        for _i in range(2)
    ]
    agencies = [*Agency.objects.values_list("pk", flat=True), None]
    start, end = date(2026, 9, 20), date(2026, 11, 10)
    random_messages(rng, agencies, start, end, 400, dossiers)
    random_lookups(rng, agencies, start, end, 200)
    return dossiers


def _as(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def _check_against_recount(fig, expected):
    for row in fig.channels:
        c, e = row.counts, expected["channels"][row.key]
        got = (c.total, c.sent_ok, c.delivered, c.failed, c.given_up, c.pending)
        want = (e["total"], e["sent_ok"], e["delivered"], e["failed"], e["given_up"], e["pending"])
        assert got == want, row.key
    star = expected["channels"]["*"]
    assert fig.total.total == star["total"] and fig.total.failures == star["failures"]
    assert {r.key: (r.counts.total, r.counts.delivered, r.counts.failures) for r in fig.events} == {
        k: (v["total"], v["delivered"], v["failures"]) for k, v in expected["events"].items()
    }
    assert {
        r.key: (r.counts.total, r.counts.sent_ok, r.counts.delivered, r.counts.failures)
        for r in fig.agencies
    } == {
        k: (v["total"], v["sent_ok"], v["delivered"], v["failures"])
        for k, v in expected["agencies"].items()
    }
    assert {(f.channel, f.reason): f.count for f in fig.failures} == dict(expected["failures"])
    counts = [f.count for f in fig.failures]
    assert counts == sorted(counts, reverse=True)  # most first
    lookups = {(r.channel, True): r.found for r in fig.lookups}
    lookups |= {(r.channel, False): r.not_found for r in fig.lookups}
    assert lookups == {key: expected["lookups"].get(key, 0) for key in lookups}
    assert len(lookups) == 10  # web, API, SMS, Zalo, hotline: found or not


def test_the_figures_match_a_recount_message_by_message(outbox):
    fig = messages.notification_figures(Scope(), OCTOBER)
    expected = recount(None, OCTOBER.start, OCTOBER.end)
    assert fig.total.total > 100  # the period holds most of the messages, not all
    assert fig.total.total < Message.objects.count()
    _check_against_recount(fig, expected)
    sms = next(r for r in fig.channels if r.key == "sms").counts
    assert sms.sent_rate == pytest.approx(100 * sms.sent_ok / (sms.total - sms.pending))
    assert sms.delivered_rate == pytest.approx(100 * sms.delivered / sms.sent_ok)
    email = next(r for r in fig.channels if r.key == "email")
    assert not email.receipts  # e-mail reports no delivery: no rate shown for it


def test_a_district_counts_its_own_agencies_only(outbox):
    district = unit_agencies(Unit.objects.get(code="794"))
    fig = messages.notification_figures(Scope(agencies=district), OCTOBER)
    _check_against_recount(fig, recount(district, OCTOBER.start, OCTOBER.end))
    assert {r.key for r in fig.agencies} <= district
    # Lookups that found nothing belong to no agency: only in the province's figures.
    assert all(r.not_found == 0 for r in fig.lookups)


def _links(html: str) -> list[tuple[str, int]]:
    return [(unescape(u), int(n.replace(".", ""))) for u, n in COUNT_LINK.findall(html)]


def _total(client, url: str) -> int:
    page = client.get(url)
    assert page.status_code == 200, url
    html = page.content.decode()
    total = int(re.search(r'data-total="(\d+)"', html)[1])
    rows = len(re.findall(r"<td class=\"recipient", html))
    assert rows == min(total, 25), url  # the first page holds as many rows as it can
    return total


def test_every_number_on_the_page_opens_as_many_messages(client, outbox):
    _as(client, "giamsat.tinh")
    page = client.get(PAGE, {"ky": OCTOBER.key})
    assert page.status_code == 200
    html = page.content.decode()
    links = _links(html)
    assert len(links) > 40
    for url, shown in links:
        assert _total(client, url) == shown, url
    # A failed count leads to the failed messages of that channel, whatever page they are on.
    url, shown = next((u, n) for u, n in links if "trang_thai=failed&" in u + "&")
    assert shown > 0
    second = client.get(url + "&trang=2")
    assert second.status_code == 200


def test_the_page_shows_the_lookups_by_channel(client, outbox):
    _as(client, "giamsat.tinh")
    html = unescape(client.get(PAGE, {"ky": OCTOBER.key}).content.decode())
    expected = recount(None, OCTOBER.start, OCTOBER.end)["lookups"]
    for channel, label in (("web", "Cổng dịch vụ công (web)"), ("hotline", "Tổng đài")):
        row = re.search(
            rf'<tr data-channel="{channel}"><th scope="row">{re.escape(label)}</th>'
            r"<td>([\d.]+)</td><td>([\d.]+)</td>",
            html,
        )
        found, not_found = (int(n.replace(".", "")) for n in row.groups())
        assert (found, not_found) == (expected[(channel, True)], expected[(channel, False)])


def test_a_district_supervisor_sees_only_the_district(client, outbox):
    _as(client, "giamsat.tanan")
    mine = unit_agencies(Unit.objects.get(code="794"))
    html = client.get(PAGE, {"ky": OCTOBER.key}).content.decode()
    shown = _links(html)
    total = messages.in_period(Scope(agencies=mine), OCTOBER).count()
    assert (LIST + f"?ky={OCTOBER.key}", total) in shown
    listing = client.get(LIST, {"ky": OCTOBER.key})
    names = set(re.findall(r'<td class="agency">([^<]+)</td>', unescape(listing.content.decode())))
    assert names, "the list names the agencies"
    assert names <= set(Agency.objects.filter(pk__in=mine).values_list("name", flat=True)) | {"—"}
    other = Agency.objects.exclude(pk__in=mine).first()
    other_unit = Unit.objects.filter(tier="district").exclude(code="794").first()
    for query in (
        {"co_quan": other.pk},
        {"co_quan": other.pk, "rieng": 1},
        {"don_vi": other_unit.pk},
    ):
        for url in (PAGE, LIST, reverse("monitoring:messages_export")):
            assert client.get(url, query).status_code == 403, (url, query)


def test_an_agency_row_opens_that_agency_s_messages_only(client, outbox):
    _as(client, "giamsat.tinh")
    fig = messages.notification_figures(Scope(), OCTOBER)
    row = fig.agencies[0]
    url = f"{LIST}?ky={OCTOBER.key}&co_quan={row.key}&rieng=1&trang_thai=failures"
    assert _total(client, url) == row.counts.failures


def test_the_list_masks_recipients_and_shows_no_message_text(client, outbox):
    Message.objects.all().delete()
    agency = Agency.objects.first()
    for channel, recipient in (("sms", "0912345678"), ("email", "nguyen.van.binh@gmail.com")):
        Message.objects.create(
            channel=channel,
            recipient=recipient,
            event="received",
            text="Ông Nguyễn Văn Bình: hồ sơ đã được tiếp nhận",
            agency=agency,
            dossier=outbox[0],
            status="sent",
        )
    _as(client, "giamsat.tinh")
    html = client.get(LIST).content.decode()
    assert "0912 *** 678" in html and "ng***@gmail.com" in html
    for secret in ("0912345678", "nguyen.van.binh", "Nguyễn Văn Bình", "đã được tiếp nhận"):
        assert secret not in html
    # The dossier's code links to the staff dossier page (which checks its own permission).
    assert reverse("backoffice:dossier", args=[outbox[0].code]) in html


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"kenh": "fax"}, "Kênh không hợp lệ"),
        ({"su_kien": "sinh-nhat"}, "Sự kiện không hợp lệ"),
        ({"trang_thai": "=1+1"}, "Trạng thái không hợp lệ"),
    ],
)
def test_bad_filters_get_a_message_and_no_rows(client, outbox, query, says):
    _as(client, "giamsat.tinh")
    for url in (LIST, reverse("monitoring:messages_export")):
        page = client.get(url, query)
        assert page.status_code == 400
        html = unescape(page.content.decode())
        assert html.count(says) == 1
        assert 'data-total="0"' in html


@pytest.mark.parametrize("query", [{"ky": "2026-13"}, {"tu": "2026-02-30", "den": "2026-03-01"}])
def test_a_bad_period_gets_a_message_and_the_current_month(client, outbox, query):
    _as(client, "giamsat.tinh")
    for url in (PAGE, LIST):
        page = client.get(url, query)
        assert page.status_code == 200
        assert "không hợp lệ" in page.content.decode()


@pytest.mark.parametrize("query", [{"don_vi": "abc"}, {"co_quan": "999999"}])
def test_an_unknown_unit_is_not_found(client, outbox, query):
    _as(client, "giamsat.tinh")
    assert client.get(PAGE, query).status_code == 404


def test_officers_without_a_supervising_role_are_refused(client, outbox):
    _as(client, "tiepnhan.p1")
    for url in (PAGE, LIST, reverse("monitoring:messages_export")):
        assert client.get(url).status_code == 403


def test_the_export_holds_the_listed_messages_and_keeps_typed_text_as_text(client, outbox):
    Message.objects.create(
        channel="email",
        recipient="=cmd|' /C calc'!A0@example.vn",
        event="received",
        text="x",
        agency=Agency.objects.first(),
        status="failed",
        reason='=HYPERLINK("http://lua-dao.example","Bấm")',
    )
    _as(client, "giamsat.tinh")
    query = {"trang_thai": "failures"}
    shown = _total(client, LIST + "?trang_thai=failures")
    export = client.get(reverse("monitoring:messages_export"), query)
    assert export.status_code == 200
    sheet = load_workbook(BytesIO(export.content)).worksheets[0]
    body = list(sheet.iter_rows(min_row=3))
    assert len(body) == shown
    typed = [c for row in body for c in row if isinstance(c.value, str) and c.value[:1] == "="]
    assert {c.value for c in typed} >= {
        '=HYPERLINK("http://lua-dao.example","Bấm")',
        "=c***@example.vn",
    }
    assert all(c.data_type == "s" for c in typed)
    assert not any("0912345678" in str(c.value) for row in body for c in row)


def test_the_handling_report_carries_the_notifications(client, outbox, tmp_path):
    _as(client, "giamsat.tinh")
    fig = messages.notification_figures(Scope(), OCTOBER)
    report = client.get(reverse("monitoring:report", args=["xlsx"]), {"ky": OCTOBER.key})
    book = load_workbook(BytesIO(report.content))
    assert book.sheetnames[:1] == ["Kết quả giải quyết"]
    sheet = book["Thông báo, tra cứu"]
    rows = [[v for v in r if v is not None] for r in sheet.iter_rows(values_only=True)]
    totals = [r for r in rows if r and r[0] == "Tổng cộng"]
    assert totals[0][1:3] == [fig.total.total, fig.total.sent_ok]
    assert totals[-1][1:] == [
        fig.lookups_total.found,
        fig.lookups_total.not_found,
        fig.lookups_total.total,
    ]
    reason = '=HYPERLINK("http://lua-dao.example","Bấm vào đây")'
    cells = [c for r in sheet.iter_rows() for c in r if c.value == reason]
    assert cells and all(c.data_type == "s" for c in cells)
    pdf = client.get(reverse("monitoring:report", args=["pdf"]), {"ky": OCTOBER.key})
    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "PHỤ LỤC: THÔNG BÁO VÀ TRA CỨU" in text
    assert "Lượt tra cứu theo kênh" in text


def test_the_monitoring_pages_link_to_it_keeping_subject_and_period(client, outbox):
    _as(client, "giamsat.tinh")
    district = Unit.objects.get(code="794")
    for url, subject in (
        (reverse("monitoring:dashboard"), ""),
        (reverse("monitoring:unit", args=[district.pk]), f"don_vi={district.pk}&amp;"),
    ):
        html = client.get(url, {"ky": OCTOBER.key}).content.decode()
        assert f'href="{PAGE}?{subject}ky={OCTOBER.key}"' in html, url
    page = client.get(PAGE, {"don_vi": district.pk, "ky": OCTOBER.key})
    assert district.name in unescape(page.content.decode())
    assert (
        page.context["fig"].total.total
        == messages.in_period(Scope(agencies=unit_agencies(district)), OCTOBER).count()
    )


def test_a_message_queued_today_shows_at_once(outbox):
    """The current month is counted up to now: what a reception queued is in it."""
    today = timezone.localdate()
    month = Period.month(today.year, today.month)
    before = messages.notification_figures(Scope(), month).total
    officer = User.objects.get(username="tiepnhan.p1")
    dossier = services.dossier_receive_at_counter(
        actor=officer,
        procedure=officer.agency.procedures.first(),
        agency=officer.agency,
        applicant={"name": "Trần Thị Hoa", "phone": "0903111222", "email": "hoa@example.vn"},
    ).dossier
    queued = dossier.messages.count()
    assert queued >= 1
    after = messages.notification_figures(Scope(), month)
    assert after.total.total == before.total + queued
    assert after.total.pending == before.pending + queued
    mine = next(r for r in after.agencies if r.key == officer.agency_id)
    assert mine.label == officer.agency.name


def test_the_page_reads_in_english(client, outbox):
    _as(client, "giamsat.tinh")
    html = unescape(client.get("/en" + PAGE, {"ky": OCTOBER.key}).content.decode())
    for text in ("Messages and lookups", "Messages sent by channel", "Lookups by channel"):
        assert text in html
    assert "Public service portal (web)" in html and "Delivery rate" in html
