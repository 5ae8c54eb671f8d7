"""The hotline desk (issue 16, point 7): a call-centre operator finds the caller's dossier by
code, phone or citizen ID across the province, reads a script in the public lookup's words,
sends the lookup link to the applicant's own phone, and every dossier he is shown is in the
personal-data record. He acts on no dossier."""

import pytest
from django.urls import reverse

from motcua.dossiers import services
from motcua.dossiers.lifecycle import TRANSITIONS, State
from motcua.dossiers.models import Dossier
from motcua.notify import hotline
from motcua.notify.models import Channel, Event, Message, OptOut, Template
from motcua.org.models import Role
from motcua.org.permissions import roles_for
from motcua.privacy.models import PersonalDataAccess, Purpose
from tests.factories import UserFactory
from tests.world import bring_to

pytestmark = pytest.mark.django_db

DESK = "/can-bo/tong-dai/"
PHONE = "0912345678"  # the applicant's phone in tests.world
CCCD = "079123456789"


@pytest.fixture(autouse=True)
def _link_templates(db):
    """The starting templates (a migration's rows: a test that flushed may have taken them)."""
    Template.objects.get_or_create(
        event=Event.LOOKUP_LINK,
        channel=Channel.SMS,
        defaults={"text": "Tra cuu ho so {ma_ho_so}: {tra_cuu}", "active": True},
    )
    Template.objects.get_or_create(
        event=Event.LOOKUP_LINK,
        channel=Channel.ZNS,
        defaults={"text": "Tra cứu hồ sơ {ma_ho_so}: {tra_cuu}", "active": False},
    )


@pytest.fixture
def operator(world):
    return UserFactory(
        roles=[(Role.HOTLINE_OPERATOR, world.province)],
        full_name="Đinh Thị Tổng Đài",
        username="tongdai",
    )


@pytest.fixture
def desk(client, operator):
    client.force_login(operator)
    return client


def search(client, text):
    return client.get(DESK, {"q": text})


def page_of(response) -> str:
    return response.content.decode()


def script_of(client, dossier) -> str:
    response = client.get(reverse("hotline:dossier", args=[dossier.code]))
    assert response.status_code == 200
    return page_of(response)


# --- finding ------------------------------------------------------------------------------


def test_the_desk_finds_a_dossier_by_its_code(desk, world):
    d = world.receive()
    other = world.receive(applicant={"name": "Lê Văn Khác", "phone": "0987000111"})
    for typed in (d.code, f"  {d.code.lower()} "):
        page = page_of(search(desk, typed))
        assert d.code in page and other.code not in page, typed
        assert world.procedure.name in page and "UBND xã Thử" in page
        assert "Nguyễn Văn Bình" in page and "0912 *** 678" in page
        assert PHONE not in page and CCCD not in page  # masked, not shown


@pytest.mark.parametrize(
    "typed", ["0912 345 678", "+84 912 345 678", "84912345678", "0912.345.678"]
)
def test_the_desk_finds_a_dossier_by_phone_in_any_form(desk, world, typed):
    d = world.receive()
    world.receive(applicant={"name": "Lê Văn Khác", "phone": "0987000111"})
    response = search(desk, typed)
    assert response.status_code == 200
    rows = [r.dossier.pk for r in response.context["search"].rows]
    assert rows == [d.pk]


def test_the_desk_finds_a_dossier_by_citizen_id_and_by_tax_code(desk, world):
    person = world.receive()
    company = world.receive(
        applicant={"name": "Công ty TNHH Thử", "phone": "0283000111", "id_number": "0301234567"}
    )
    assert [r.dossier for r in search(desk, CCCD).context["search"].rows] == [person]
    assert [r.dossier for r in search(desk, "079 123 456 789").context["search"].rows] == [person]
    assert [r.dossier for r in search(desk, "0301234567").context["search"].rows] == [company]
    # Part of an ID number is not an ID number: exact only.
    assert search(desk, CCCD[:-1] + "0").context["search"].rows == []


def test_results_are_newest_first_and_at_most_the_limit(desk, world, monkeypatch):
    monkeypatch.setattr(hotline, "MAX_RESULTS", 2)
    first, second, third = (world.receive() for _ in range(3))
    response = search(desk, PHONE)
    page = page_of(response)
    assert [r.dossier for r in response.context["search"].rows] == [third, second]
    assert first.code not in page
    assert "thu hẹp tìm kiếm" in page


def test_not_found_says_so(desk, world):
    world.receive()
    page = page_of(search(desk, "0903999888"))
    assert "Không tìm thấy hồ sơ nào" in page
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Nhập mã hồ sơ, số điện thoại hoặc số CCCD"),
        ("   ", "Nhập mã hồ sơ, số điện thoại hoặc số CCCD"),
        ("ab", "Quá ngắn"),
        ("1234", "Không nhận ra số này"),
        ("0" * 30, "Không nhận ra số này"),
        ("x" * 200, "quá dài"),
        ("'; DROP TABLE --", "Không tìm thấy hồ sơ nào"),
        ("<script>alert(1)</script>", "Không tìm thấy hồ sơ nào"),
    ],
)
def test_bad_input_gets_a_clear_message(desk, world, typed, says):
    world.receive()
    response = search(desk, typed)
    assert response.status_code in (200, 400)
    page = page_of(response)
    assert says in page
    assert "<script>alert" not in page


def test_an_operator_of_another_commune_finds_nothing_of_this_one(client, world):
    d = world.receive()
    elsewhere = UserFactory(roles=[(Role.HOTLINE_OPERATOR, world.other_ubnd)])
    client.force_login(elsewhere)
    assert search(client, d.code).context["search"].rows == []
    assert search(client, PHONE).context["search"].rows == []
    assert client.get(reverse("hotline:dossier", args=[d.code])).status_code == 404
    response = client.post(reverse("hotline:send_link", args=[d.code]), {"channel": "sms"})
    assert response.status_code == 404
    assert not Message.objects.filter(event=Event.LOOKUP_LINK).exists()
    assert not PersonalDataAccess.objects.exists()


def test_a_citizens_draft_is_not_found(desk, world):
    draft = world.draft()
    assert search(desk, "0987654321").context["search"].rows == []
    assert client_status(desk, reverse("hotline:dossier", args=[draft.reference])) == 404


def client_status(client, url) -> int:
    return client.get(url).status_code


# --- the script ---------------------------------------------------------------------------


@pytest.fixture
def agency_contact(world):
    world.commune_ubnd.address = "Số 1 đường Thử, xã Thử"
    world.commune_ubnd.phone = "0272 3800 111"
    world.commune_ubnd.save(update_fields=["address", "phone"])


def test_the_script_of_a_dossier_being_processed(desk, world, agency_contact):
    d = bring_to(world, State.PROCESSING)
    page = script_of(desk, d)
    assert f"Hồ sơ {d.code}" in page and world.procedure.name in page
    assert "Trạng thái hiện nay: Đang xử lý" in page
    assert "Cơ quan đang giải quyết." in page
    appointment = d.appointment_at or d.due_at
    assert f"Hẹn trả kết quả: {hotline._moment(appointment)}" in page
    assert "UBND xã Thử, địa chỉ Số 1 đường Thử, xã Thử, điện thoại 0272 3800 111" in page
    assert f"/tra-cuu/?ma={d.code}" in page
    # The caller is recognised by name and a masked number, never the whole one.
    assert "Nguyễn Văn Bình" in page and "0912 *** 678" in page and PHONE not in page


def test_the_script_of_a_dossier_awaiting_a_supplement_names_what_is_missing(desk, world):
    d = bring_to(world, State.AWAITING_SUPPLEMENT)
    page = script_of(desk, d)
    assert "Trạng thái hiện nay: Chờ bổ sung" in page
    assert "Chờ bạn bổ sung giấy tờ: Bản sao sổ hộ khẩu." in page
    assert "Hẹn trả kết quả:" not in page.split("Quá trình giải quyết")[0]


def test_the_script_of_a_ready_result_says_how_and_where_to_collect_it(desk, world, agency_contact):
    d = bring_to(world, State.RESULT_READY)
    page = script_of(desk, d)
    assert "Trạng thái hiện nay: Chờ trả kết quả" in page
    assert "Mời bạn đến nhận kết quả tại Bộ phận Một cửa." in page
    assert "Nơi tiếp nhận và trả kết quả: UBND xã Thử, địa chỉ Số 1 đường Thử" in page


def test_the_script_of_a_rejected_dossier_gives_the_agencys_reasons(desk, world):
    d = bring_to(world, State.REJECTED)
    page = script_of(desk, d)
    assert "Hồ sơ bị từ chối giải quyết" in page
    assert "Cơ quan ghi cho bạn: Không đủ điều kiện." in page


# --- sending the link ---------------------------------------------------------------------


def link_messages():
    return Message.objects.filter(event=Event.LOOKUP_LINK)


def send(client, dossier, **data):
    return client.post(
        reverse("hotline:send_link", args=[dossier.code]), {"channel": "sms", **data}, follow=True
    )


def test_sending_the_link_queues_one_sms_to_the_applicants_phone(desk, world):
    d = world.receive()
    page = page_of(send(desk, d))
    sent = link_messages().get()
    assert (sent.channel, sent.recipient, sent.dossier_id) == (Channel.SMS, PHONE, d.pk)
    assert sent.agency_id == world.commune_ubnd.pk
    assert d.code in sent.text and f"/tra-cuu/?ma={d.code}" in sent.text
    assert "Đã gửi đường dẫn tra cứu qua SMS đến số 0912 *** 678." in page


def test_a_forged_post_cannot_send_to_another_number(desk, world):
    d = world.receive()
    send(desk, d, phone="0999888777", recipient="0999888777", applicant_phone="0999888777")
    assert list(link_messages().values_list("recipient", flat=True)) == [PHONE]
    assert not Message.objects.filter(recipient__contains="999888777").exists()


def test_zalo_waits_for_its_approved_template(desk, world):
    d = world.receive()
    page = script_of(desk, d)
    assert "Gửi đường dẫn tra cứu qua SMS" in page and "qua Zalo" not in page
    page = page_of(send(desk, d, channel="zns"))
    assert "Chưa gửi được qua Zalo" in page
    assert not link_messages().exists()
    Template.objects.filter(event=Event.LOOKUP_LINK, channel=Channel.ZNS).update(active=True)
    assert "Gửi đường dẫn tra cứu qua Zalo" in script_of(desk, d)
    page = page_of(send(desk, d, channel="zns"))
    assert link_messages().get().channel == Channel.ZNS
    assert "Đã gửi đường dẫn tra cứu qua Zalo đến số 0912 *** 678." in page


@pytest.mark.parametrize("channel", ["email", "zalo_oa", "", "sms'--"])
def test_only_sms_and_zalo_are_offered(desk, world, channel):
    d = world.receive()
    page = page_of(send(desk, d, channel=channel))
    assert "Chọn gửi qua SMS hoặc Zalo." in page
    assert not link_messages().exists()


def test_a_number_that_opted_out_is_not_sent_to(desk, world):
    d = world.receive()
    OptOut.objects.create(channel=Channel.SMS, address="84912345678")
    page = page_of(send(desk, d))
    assert "Số 0912 *** 678 đã từ chối nhận tin qua SMS" in page
    assert not link_messages().exists()


def test_a_dossier_without_a_mobile_number_offers_no_link(desk, world):
    d = world.receive(applicant={"name": "Công ty Thử", "phone": "02723800111"})
    assert "không phải số di động" in script_of(desk, d)
    send(desk, d)
    assert not link_messages().exists()


def test_links_about_one_dossier_are_limited(desk, world, settings):
    settings.MOTCUA = {**settings.MOTCUA, "HOTLINE_LINKS_PER_HOUR": 2}
    d = world.receive()
    for _ in range(3):
        page = page_of(send(desk, d))
    assert link_messages().count() == 2
    assert "Đã gửi đường dẫn của hồ sơ này 2 lần trong một giờ qua" in page


# --- the record ---------------------------------------------------------------------------


def hotline_reads(user, purpose=Purpose.HOTLINE):
    return PersonalDataAccess.objects.filter(user=user, purpose=purpose)


def test_every_dossier_shown_is_recorded_once_per_search(desk, world, operator):
    first, second = world.receive(), world.receive()
    search(desk, PHONE)
    reads = hotline_reads(operator)
    assert sorted(reads.values_list("dossier_id", flat=True)) == sorted([first.pk, second.pk])
    assert all("Tổng đài viên" in r.roles and r.path == DESK for r in reads)
    script_of(desk, first)
    assert hotline_reads(operator).filter(dossier=first).count() == 2
    # A refused search or one that finds nothing shows nobody: nothing to record.
    search(desk, "ab")
    search(desk, "0903999888")
    assert hotline_reads(operator).count() == 3


def test_sending_the_link_is_recorded(desk, world, operator):
    d = world.receive()
    send(desk, d)
    sent = hotline_reads(operator, Purpose.HOTLINE_LINK).get()
    assert sent.dossier_id == d.pk
    assert sent.path == reverse("hotline:send_link", args=[d.code])


def test_the_citizen_sees_the_hotline_lookups_of_his_dossier(client, world, operator):
    draft = world.draft()
    d = services.dossier_submit(actor=world.citizen, dossier=draft).dossier
    d = services.dossier_receive(actor=world.staff[Role.RECEPTION_OFFICER], dossier=d).dossier
    client.force_login(operator)
    search(client, "0987 654 321")
    send(client, d)
    client.force_login(world.citizen)
    page = page_of(client.get(reverse("privacy:my_accesses")))
    assert "Đinh Thị Tổng Đài" in page
    assert "Tổng đài tra cứu" in page and "Tổng đài gửi đường dẫn tra cứu" in page


def test_the_desk_counts_an_operators_lookups(desk, world, operator, settings):
    settings.MOTCUA = {**settings.MOTCUA, "HOTLINE_LOOKUPS_PER_HOUR": 3}
    d = world.receive()
    assert search(desk, PHONE).status_code == 200
    assert search(desk, d.code).status_code == 200
    script_of(desk, d)
    refused = search(desk, PHONE)
    assert refused.status_code == 429
    assert "tối đa của tổng đài" in page_of(refused) and d.code not in page_of(refused)
    assert desk.get(reverse("hotline:dossier", args=[d.code])).status_code == 429
    assert hotline_reads(operator).count() == 3
    # Another operator has his own count.
    desk.force_login(UserFactory(roles=[(Role.HOTLINE_OPERATOR, world.province)]))
    assert search(desk, PHONE).status_code == 200


# --- who may --------------------------------------------------------------------------------


def test_others_may_not_use_the_desk(client, world):
    d = world.receive()
    urls = [DESK + f"?q={PHONE}", reverse("hotline:dossier", args=[d.code])]
    post = reverse("hotline:send_link", args=[d.code])
    for who in (world.staff[Role.RECEPTION_OFFICER], world.staff[Role.SUPERVISOR], world.citizen):
        client.force_login(who)
        for url in urls:
            assert client.get(url).status_code == 403, (who, url)
        assert client.post(post, {"channel": "sms"}).status_code == 403
    client.logout()
    for url in [*urls, post]:
        response = client.get(url) if url != post else client.post(post, {"channel": "sms"})
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"], url
    assert not link_messages().exists()
    assert not PersonalDataAccess.objects.exists()


def test_the_role_takes_no_action_of_the_lifecycle():
    assert all(Role.HOTLINE_OPERATOR not in t.who for t in TRANSITIONS)
    for name in ("dossier.view", "dossier.view_personal"):
        assert Role.HOTLINE_OPERATOR not in roles_for(name)


def test_a_hotline_operator_cannot_act_on_a_dossier(desk, world, operator):
    d = bring_to(world, State.PROCESSING)
    page = desk.get(reverse("backoffice:dossier", args=[d.code]))
    assert page.status_code in (403, 404)
    assert 'action="/can-bo/ho-so/' not in page_of(page)
    for action in ("forward", "request_supplement", "reject", "assign"):
        response = desk.post(
            reverse("backoffice:action", args=[d.code, action]),
            {f"{action}-version": d.version, f"{action}-reasons": "Thử", f"{action}-note": "x"},
        )
        assert response.status_code in (403, 404), action
    api = desk.post(
        f"/api/v1/dossiers/{d.code}/actions/forward/",
        {"version": d.version},
        content_type="application/json",
    )
    assert api.status_code in (401, 403, 404)
    after = Dossier.objects.get(pk=d.pk)
    assert (after.state, after.version) == (d.state, d.version)


def test_the_operators_home_has_no_worklists(desk):
    page = page_of(desk.get(reverse("backoffice:home")))
    assert 'data-testid="owned-queues"' not in page and "data-queue=" not in page


def test_the_operators_home_links_to_the_desk(desk, world):
    page = page_of(desk.get(reverse("backoffice:home")))
    assert f'href="{DESK}"' in page
    desk.force_login(world.staff[Role.RECEPTION_OFFICER])
    assert f'href="{DESK}"' not in page_of(desk.get(reverse("backoffice:home")))


def test_the_desk_reads_in_english(desk, world):
    d = bring_to(world, State.AWAITING_SUPPLEMENT)
    page = page_of(desk.get(f"/en{DESK}", {"q": PHONE}))
    assert "Hotline dossier lookup" in page and "Tổng đài tra cứu hồ sơ" not in page
    assert "Dossier code, phone number or citizen ID number" in page
    page = page_of(desk.get(f"/en{DESK}ho-so/{d.code}/"))
    assert "What to tell the caller" in page and "Current status:" in page
    assert "Send the lookup link by SMS" in page
    page = page_of(desk.get(f"/en{DESK}", {"q": "ab"}))
    assert "Too short" in page
