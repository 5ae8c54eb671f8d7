"""Every public page passes axe-core (from the project's own dependencies, no CDN) with no
serious or critical violation against WCAG 2.2 AA, and a procedure page is light and loads
nothing from another host."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from motcua.catalog.models import LifeEvent, OnlineLevel
from motcua.dossiers import services
from motcua.dossiers.lifecycle import State
from motcua.org.models import Role
from motcua.portal.models import Feedback
from tests.world import bring_to, pdf_upload

AXE = Axe()
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def serious(page) -> list[str]:
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    found = results.response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def pages(world, live_server):
    """One of each public page, with data to show."""
    from tests.portal.citizen import citizen

    world.procedure.online_level = OnlineLevel.FULL
    world.procedure.save()
    finished = bring_to(world, State.RETURNED)
    user = citizen()
    draft = services.dossier_create_draft(
        owner=user,
        procedure=world.procedure,
        agency=world.commune_ubnd,
        applicant={"name": "Lê Thị Hoa", "phone": "0903111222"},
        files=[(world.procedure.components.first().pk, pdf_upload("to-khai.pdf"))],
    )
    feedback = Feedback.objects.create(
        title="Chờ lâu",
        content="Chờ hơn một giờ ở quầy.",
        sender_name="A",
        allow_publish=True,
        state=Feedback.State.ANSWERED,
        answer="Đã bố trí thêm người.",
    )
    event = LifeEvent.objects.create(code="sinh-con", name="Sinh con", description="Khai sinh")
    event.procedures.add(world.procedure)
    code = world.procedure.national_code
    anonymous = [
        reverse("portal:life_event", args=["sinh-con"]),
        reverse("portal:procedure_print"),
        "/khong-co-trang-nay/",
        "/",
        "/en/",
        reverse("portal:procedure_list") + "?q=thu+nghiem",
        reverse("portal:procedure_detail", args=[code]),
        reverse("portal:lookup"),
        reverse("portal:lookup") + f"?ma={finished.code}&dt=5678",
        reverse("portal:lookup") + "?ma=SAI&dt=12",
        reverse("portal:rate_by_code") + f"?ma={finished.code}&dt=5678",
        reverse("portal:sign_in"),
        reverse("portal:sign_up"),
        reverse("portal:feedback_list"),
        reverse("portal:feedback_new"),
        reverse("portal:feedback_detail", args=[feedback.reference]),
    ]
    signed_in = [
        reverse("portal:profile"),
        reverse("portal:my_dossiers"),
        reverse("portal:draft", args=[draft.reference]),
        reverse("portal:review", args=[draft.reference]),
        reverse("portal:my_dossier", args=[draft.reference]),
    ]
    services.dossier_submit(actor=user, dossier=draft)
    officer = world.staff[Role.RECEPTION_OFFICER]
    services.dossier_receive(actor=officer, dossier=draft)
    signed_in += [reverse("portal:submitted", args=[draft.reference])]
    return anonymous, signed_in


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        locale="vi-VN",
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_no_serious_accessibility_violation_on_any_public_page(phone, pages):
    page = phone
    anonymous, signed_in = pages
    problems = {}
    for url in anonymous:
        page.goto(url)
        problems[url] = serious(page)
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Số điện thoại hoặc thư điện tử").fill("0903111222")
    page.get_by_label("Mật khẩu").fill("Mot-cua-2026!")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/tai-khoan/ho-so/")
    for url in signed_in:
        page.goto(url)
        problems[url] = serious(page)
    assert {url: found for url, found in problems.items() if found} == {}


def test_a_procedure_page_is_light_and_stays_on_this_host(browser, live_server, world):
    context = browser.new_context(viewport={"width": 375, "height": 740}, base_url=live_server.url)
    page = context.new_page()
    sizes, hosts = {}, set()

    def seen(response):
        hosts.add(response.url.split("/")[2] if "://" in response.url else response.url[:5])
        if response.request.resource_type in ("document", "stylesheet", "script"):
            sizes[response.url] = len(response.body())

    page.on("response", seen)
    page.goto(reverse("portal:procedure_detail", args=[world.procedure.national_code]))
    page.wait_for_load_state("networkidle")
    context.close()
    assert hosts == {live_server.url.split("/")[2]}
    assert sum(sizes.values()) < 100 * 1024, sizes


def test_no_serious_accessibility_violation_on_the_hotline_desk(phone, world):
    """The staff pages a call-centre operator spends his day on: the search, its answers and
    refusals, a dossier's script and the notice of a sent link."""
    from motcua.notify.models import Channel, Event, Template
    from tests.factories import UserFactory

    Template.objects.get_or_create(
        event=Event.LOOKUP_LINK,
        channel=Channel.SMS,
        defaults={"text": "Tra cuu ho so {ma_ho_so}: {tra_cuu}", "active": True},
    )
    dossier = bring_to(world, State.AWAITING_SUPPLEMENT)
    UserFactory(roles=[(Role.HOTLINE_OPERATOR, world.province)], username="tongdai-a11y")
    page = phone
    page.goto("/can-bo/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("tongdai-a11y")
    page.get_by_label("Mật khẩu").fill("mat-khau-thu-123")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/can-bo/")
    desk = reverse("hotline:desk")
    script = reverse("hotline:dossier", args=[dossier.code])
    problems = {}
    for url in (desk, f"{desk}?q=0912345678", f"{desk}?q=ab", f"{desk}?q=0903999888", script):
        page.goto(url)
        problems[url] = serious(page)
    page.get_by_role("button", name="Gửi đường dẫn tra cứu qua SMS").click()
    page.wait_for_selector(".message-success")
    problems["after sending"] = serious(page)
    assert {url: found for url, found in problems.items() if found} == {}
