"""The walk of issue 24 in a real browser: a birth registration submitted online at Phường 1,
due a week away, taken from reception to the return with the home page's queues alone — no
search, no code typed — and at every step only its owner is offered its work."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from motcua.catalog.models import Procedure, TimeUnit
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.org.models import Agency
from tests.browser.test_staff_flow import PDF, _act, demo, desk  # noqa: F401 (fixtures)

WARD = "000.01.30.H39"


@pytest.fixture
def submitted(demo):  # noqa: F811
    """Submitted online by a citizen, for a procedure given five working days."""
    from tests.portal.citizen import citizen

    procedure = Procedure.objects.get(national_code="1.001193")
    Procedure.objects.filter(pk=procedure.pk).update(
        processing_time=Decimal(5), processing_unit=TimeUnit.WORKING_DAY, cutoff=None
    )
    procedure.refresh_from_db()
    user = citizen()
    draft = services.dossier_create_draft(
        owner=user,
        procedure=procedure,
        agency=Agency.objects.get(code=WARD),
        applicant={"name": "Lê Thị Hoa", "phone": "0903111222"},
    )
    return services.dossier_submit(actor=user, dossier=draft).dossier


def _tile(page, slug):
    return page.locator(f'a[data-queue="{slug}"] .tile-count-big')


def _from_queue(page, slug, label):
    """Home → the queue's tile (it counts the dossier) → the only dossier in it."""
    page.goto("/can-bo/")
    expect(_tile(page, slug)).to_have_text("1")
    page.locator(f'a[data-queue="{slug}"]').click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(label)
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link").first.click()
    expect(page.get_by_test_id("dossier-code")).to_be_visible()


def _offered(page) -> set[str]:
    return set(
        page.locator("section.actions [data-action]").evaluate_all(
            "nodes => nodes.map(n => n.dataset.action)"
        )
    )


def _empty_mine(page):
    """Nothing of this dossier left in the officer's own queues once he has handed it on."""
    page.goto("/can-bo/")
    for slug in ("cua-toi", "cho-nhan"):
        if page.locator(f'a[data-queue="{slug}"]').count():
            expect(_tile(page, slug)).to_have_text("0")


def test_the_dossier_is_always_in_its_owner_s_queue(submitted, desk):  # noqa: F811
    counter = desk("tiepnhan.p1")
    _from_queue(counter, "truc-tuyen", "Hồ sơ trực tuyến chờ tiếp nhận")
    _act(counter, "Tiếp nhận hồ sơ")
    dossier = Dossier.objects.get(pk=submitted.pk)
    assert (dossier.due_at - dossier.received_at).days >= 5
    # The reception officer holds the reception step himself.
    expect(counter.get_by_test_id("dossier-holder")).to_contain_text("Người xử lý")
    # Forwarding lists the specialists of the next step with their load, not the sender,
    # and leaves it to the division when nobody is chosen.
    forward = counter.locator("details.action[data-action=forward]")
    forward.locator("summary").click()
    choices = forward.locator("select[name$=assignee] option").all_inner_texts()
    assert choices[0].startswith("Cả bộ phận nhận"), choices
    assert any("hồ sơ đang xử lý" in c for c in choices[1:]), choices
    assert not any("tiếp nhận" in c.lower() and "Cả bộ phận" not in c for c in choices), choices
    forward.get_by_role("button", name="Chuyển bước tiếp theo").click()
    expect(counter.locator(".message-success")).to_contain_text("Chuyển bước tiếp theo")
    # The sender may no longer do the next step's work.
    counter.goto(f"/can-bo/ho-so/{dossier.code}/")
    expect(counter.get_by_test_id("dossier-holder")).to_contain_text("Chờ nhận việc")
    assert not _offered(counter) & {"forward", "mark_result_ready", "approve", "claim"}
    _empty_mine(counter)

    specialist = desk("tuphap.p1")
    _from_queue(specialist, "cho-nhan", "Chờ nhận việc")
    assert _offered(specialist) >= {"claim"}
    specialist.locator("form.claim").get_by_role("button", name="Nhận xử lý").click()
    expect(specialist.locator(".message-success")).to_contain_text("Nhận xử lý")
    expect(specialist.get_by_test_id("dossier-holder")).to_contain_text("Người xử lý")
    assert "claim" not in _offered(specialist)
    _from_queue(specialist, "cua-toi", "Tôi đang xử lý")
    _act(specialist, "Chuyển bước tiếp theo")
    _empty_mine(specialist)

    leader = desk("lanhdao.p1")
    _from_queue(leader, "cho-nhan", "Chờ nhận việc")
    _act(leader, "Phê duyệt kết quả")
    expect(leader.get_by_test_id("dossier-state")).to_have_text("Đang xử lý — đã phê duyệt")
    assert "approve" not in _offered(leader)
    _empty_mine(leader)

    _from_queue(counter, "cho-nhan", "Chờ nhận việc")
    _act(
        counter,
        "Có kết quả, chờ trả",
        files=[{"name": "giay-khai-sinh.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    _from_queue(counter, "cho-tra", "Chờ trả kết quả")
    _act(counter, "Trả kết quả")
    expect(counter.get_by_test_id("dossier-state")).to_have_text("Đã trả kết quả")
    counter.goto("/can-bo/")
    for slug in ("truc-tuyen", "cho-nhan", "cua-toi", "cho-tra"):
        expect(_tile(counter, slug)).to_have_text("0")
    dues = list(Dossier.objects.get(pk=submitted.pk).steps.values_list("due_at", flat=True))
    assert dues == sorted(dues)
