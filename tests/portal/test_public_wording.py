"""The citizen's timeline in plain words: on the lookup, on "Hồ sơ của tôi", in the API and in
the e-mails; internal events never shown; the fee sentence of a free procedure; the rating
link gone once rated; and links that point where the site really is."""

import html
import re
from datetime import timedelta

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from motcua.core import pagecache
from motcua.dossiers import public_events, services
from motcua.dossiers.lifecycle import ACTIONS, State
from motcua.dossiers.models import OTHER_EVENTS, Dossier
from motcua.dossiers.selectors import cached_public_lookup, lookup_url
from motcua.org.models import Role
from motcua.payments import services as payments
from motcua.portal import services as portal_services
from motcua.portal.models import Rating
from tests.portal.citizen import citizen, online_world
from tests.world import bring_to, pdf_upload, send_messages_of

pytestmark = pytest.mark.django_db

# The officers' words for internal events: none may reach the public.
INTERNAL_WORDS = (
    "Tạo hồ sơ",
    "Cập nhật hồ sơ nháp",
    "Đính kèm tệp",
    "Gỡ tệp",
    "Chuyển bước tiếp theo",
    "Phân công xử lý",
    "Phê duyệt kết quả",
)
CRITERIA = ("thai-do", "thoi-gian", "thu-tuc", "ket-qua")
ANSWERS = {c: "hai-long" for c in CRITERIA}  # as the service takes them
FORM_ANSWERS = {f"c_{c}": level for c, level in ANSWERS.items()}  # as the form sends them


def timeline(page: str) -> list[str]:
    """The lines of the page's timeline as a reader sees them."""
    block = re.search(r'<ol class="timeline">(.*?)</ol>', page, re.S)
    assert block, "the page has no timeline"
    items = re.findall(r"<li\b[^>]*>(.*?)</li>", block.group(1), re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", item)).split()) for item in items]


def moment(value) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


def lookup_page(dossier, digits="1222") -> str:
    """The lookup as an anonymous visitor sees it (from the shared cache when it holds it)."""
    answer = Client().get(reverse("portal:lookup"), {"ma": dossier.code, "dt": digits})
    assert answer.status_code == 200
    return answer.content.decode()


def submit_online(client, world, committed, email="hoa@example.vn"):
    """A citizen starts a draft, uploads two files, saves it and submits it, with the views."""
    online_world(world)
    user = citizen()
    client.force_login(user)
    with committed(execute=True):
        client.get(reverse("portal:start", args=[world.procedure.national_code]))
        dossier = Dossier.objects.get(owner=user)
        for name in ("to-khai.pdf", "to-khai-trang-2.pdf"):
            client.post(
                reverse("portal:upload", args=[dossier.reference]),
                {"component": dossier.procedure.components.first().pk, "files": [pdf_upload(name)]},
            )
        client.post(
            reverse("portal:draft", args=[dossier.reference]),
            {
                "applicant_name": "Lê Thị Hoa",
                "applicant_id_number": "079200001234",
                "applicant_phone": "0903111222",
                "applicant_email": email,
                "applicant_address": "Ấp 3",
                "delivery": "electronic",
                "review": "1",
            },
        )
    assert (
        "Hồ sơ chưa được nộp."
        in client.get(reverse("portal:my_dossier", args=[dossier.reference])).content.decode()
    )
    resubmit(client, dossier, committed)
    return user, Dossier.objects.get(pk=dossier.pk)


def resubmit(client, dossier, committed):
    dossier.refresh_from_db()
    with committed(execute=True):
        client.post(
            reverse("portal:review", args=[dossier.reference]), {"version": dossier.version}
        )
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED


def test_every_event_kind_is_either_public_or_internal():
    kinds = set(ACTIONS) | set(OTHER_EVENTS)
    assert kinds == set(public_events.PUBLIC) | public_events.INTERNAL
    assert not set(public_events.PUBLIC) & public_events.INTERNAL


def test_a_dossier_s_life_reads_in_the_applicant_s_words(
    client, world, django_capture_on_commit_callbacks
):
    committed = django_capture_on_commit_callbacks
    s, district = world.staff, world.district_staff
    _user, d = submit_online(client, world, committed)
    mine_url = reverse("portal:my_dossier", args=[d.reference])

    def mine() -> list[str]:
        return timeline(client.get(mine_url).content.decode())

    def act(service, **params):
        nonlocal d
        with committed(execute=True):
            service(dossier=d, **params)
        d = Dossier.objects.get(pk=d.pk)

    def reads(lines, title, awaited="", by=None):
        """The newest line says what happened and what is awaited now; no older line does."""
        assert title in lines[-1], lines
        if awaited:
            assert awaited in lines[-1], lines
        assert ("Hẹn trả kết quả" in lines[-1]) == (by is not None), lines
        if by is not None:
            assert f"Hẹn trả kết quả: {moment(by)}" in lines[-1]
        assert not any("Hẹn trả kết quả" in line or "Chờ " in line for line in lines[:-1]), lines
        for line in lines:
            assert not any(word in line for word in INTERNAL_WORDS), line
        return lines

    # Before reception there is no code: only "Hồ sơ của tôi" shows the dossier.
    reads(mine(), "Đã nộp hồ sơ trực tuyến", "Chờ Bộ phận Một cửa kiểm tra và tiếp nhận hồ sơ")
    act(
        services.dossier_request_completion,
        actor=s[Role.RECEPTION_OFFICER],
        missing_items=["Tờ khai có chữ ký"],
    )
    reads(
        mine(),
        "Cần hoàn thiện hồ sơ trước khi tiếp nhận",
        "Chờ bạn bổ sung giấy tờ: Tờ khai có chữ ký",
    )
    resubmit(client, d, committed)
    reads(mine(), "Đã nộp hồ sơ trực tuyến", "Chờ Bộ phận Một cửa kiểm tra")

    act(services.dossier_receive, actor=s[Role.RECEPTION_OFFICER])
    for lines in (mine(), timeline(lookup_page(d))):
        reads(
            lines, "Đã tiếp nhận hồ sơ (UBND xã Thử)", "Cơ quan đang giải quyết", d.appointment_at
        )
    # A hand-over inside the commune and an assignment are nobody's business but the agency's.
    act(services.dossier_forward, actor=s[Role.RECEPTION_OFFICER])
    act(services.dossier_assign, actor=s[Role.DIVISION_HEAD], assignee=s[Role.SPECIALIST])
    reads(
        timeline(lookup_page(d)), "Đã tiếp nhận hồ sơ", "Cơ quan đang giải quyết", d.appointment_at
    )
    # A payment is news, but leaves what is awaited as it was.
    with committed(execute=True):
        payments.payment_record_at_counter(
            actor=s[Role.RECEPTION_OFFICER], dossier=d, amount=20000, method="cash"
        )
    lines = timeline(lookup_page(d))
    assert "Đã nộp phí, lệ phí tại quầy" in lines[-1]
    assert "Cơ quan đang giải quyết" in lines[-2] and "Hẹn trả kết quả" in lines[-2]

    act(
        services.dossier_request_supplement,
        actor=s[Role.SPECIALIST],
        missing_items=["Bản sao sổ hộ khẩu", "Giấy chứng sinh"],
        note="Bản sao có chứng thực",
    )
    for lines in (mine(), timeline(lookup_page(d))):
        reads(
            lines,
            "Cơ quan yêu cầu bổ sung hồ sơ",
            "Chờ bạn bổ sung giấy tờ: Bản sao sổ hộ khẩu; Giấy chứng sinh",
        )
    with committed(execute=True):
        client.post(
            reverse("portal:supplement", args=[d.reference]),
            {"files": [pdf_upload("ho-khau.pdf")], "version": d.version},
        )
    d = Dossier.objects.get(pk=d.pk)
    reads(mine(), "Đã nhận giấy tờ bổ sung", "Cơ quan đang giải quyết", d.appointment_at)

    act(services.dossier_suspend, actor=s[Role.AGENCY_LEADER], reasons="Chờ xác minh của công an")
    lines = reads(
        timeline(lookup_page(d)),
        "Tạm dừng giải quyết hồ sơ",
        "Cơ quan sẽ báo bạn khi giải quyết tiếp",
    )
    assert "Chờ xác minh của công an" not in " ".join(lines)  # notes stay off the public page
    act(services.dossier_resume, actor=s[Role.AGENCY_LEADER])
    reads(
        timeline(lookup_page(d)),
        "Tiếp tục giải quyết hồ sơ",
        "Cơ quan đang giải quyết",
        d.appointment_at,
    )
    later = d.appointment_at + timedelta(days=7)
    act(
        services.dossier_apologize,
        actor=s[Role.AGENCY_LEADER],
        new_appointment=later,
        reasons="Cần thêm thời gian xác minh",
    )
    reads(
        timeline(lookup_page(d)),
        "Cơ quan xin lỗi vì chậm trả kết quả và hẹn lại ngày trả",
        "Cơ quan đang giải quyết",
        later,
    )

    # Liên thông: a hand-over to another agency is told, with where the dossier went.
    act(services.dossier_forward, actor=s[Role.SPECIALIST])
    reads(
        timeline(lookup_page(d)),
        "Hồ sơ được chuyển đến UBND huyện Thử",
        "Cơ quan đang giải quyết",
        later,
    )
    act(services.dossier_forward, actor=district[Role.SPECIALIST])
    reads(
        timeline(lookup_page(d)),
        "Hồ sơ được chuyển đến UBND xã Thử (UBND huyện Thử)",
        "Cơ quan đang giải quyết",
        later,
    )
    act(services.dossier_approve, actor=s[Role.AGENCY_LEADER])
    act(services.dossier_mark_result_ready, actor=s[Role.RECEPTION_OFFICER], files=[pdf_upload()])
    reads(mine(), "Đã có kết quả giải quyết", "Mời bạn tải kết quả tại trang Hồ sơ của tôi")
    act(services.dossier_return_result, actor=s[Role.RECEPTION_OFFICER])

    expected = [
        "Đã nộp hồ sơ trực tuyến",
        "Cần hoàn thiện hồ sơ trước khi tiếp nhận",
        "Đã nộp hồ sơ trực tuyến",
        "Đã tiếp nhận hồ sơ",
        "Đã nộp phí, lệ phí tại quầy",
        "Cơ quan yêu cầu bổ sung hồ sơ",
        "Đã nhận giấy tờ bổ sung",
        "Tạm dừng giải quyết hồ sơ",
        "Tiếp tục giải quyết hồ sơ",
        "Cơ quan xin lỗi vì chậm trả kết quả và hẹn lại ngày trả",
        "Hồ sơ được chuyển đến UBND huyện Thử",
        "Hồ sơ được chuyển đến UBND xã Thử",
        "Đã có kết quả giải quyết",
        "Đã trả kết quả",
    ]
    for lines in (mine(), timeline(lookup_page(d))):
        reads(lines, "Đã trả kết quả")
        assert len(lines) == len(expected)
        assert all(title in line for title, line in zip(expected, lines, strict=True)), lines
    # The API's timeline is the same selector: the same lines, with the table's labels kept.
    api = Client().get(reverse("api:lookup", args=[d.code]), {"phone": "1222"}).json()
    assert [line["title"] for line in api["timeline"]] == expected
    assert api["timeline"][3]["label"] == "Tiếp nhận hồ sơ"
    assert [line["awaited"] for line in api["timeline"]] == [""] * len(expected)


def test_submission_is_told_by_e_mail_in_the_public_words(
    client, world, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.MOTCUA = {**settings.MOTCUA, "PUBLIC_URL": "https://dichvucong.example.vn/"}
    _user, dossier = submit_online(client, world, django_capture_on_commit_callbacks)
    events = dossier.events.order_by("seq")
    # The draft's own events tell nobody; the submission does, as the confirmation promised.
    assert [send_messages_of(e.pk) for e in events] == ["skipped"] * 4 + ["sent"]
    (mail,) = mailoutbox
    assert mail.to == ["hoa@example.vn"]
    assert "Đã nộp hồ sơ trực tuyến" in mail.subject
    assert "Chờ Bộ phận Một cửa kiểm tra và tiếp nhận hồ sơ." in mail.body
    link = "https://dichvucong.example.vn" + reverse("portal:my_dossier", args=[dossier.reference])
    assert link in mail.body and "Tra cứu" not in mail.body  # no code yet to look up


@pytest.mark.parametrize(
    ("email", "promise"),
    [
        # Not chosen on the form: every contact given (the phone is, in submit_online).
        ("hoa@example.vn", "Thông báo được gửi qua Tin nhắn SMS, Thư điện tử và hiện ở trang"),
        ("", "Thông báo được gửi qua Tin nhắn SMS và hiện ở trang hồ sơ."),
    ],
)
def test_the_confirmation_promises_only_what_is_sent(
    client, world, django_capture_on_commit_callbacks, email, promise
):
    _user, dossier = submit_online(client, world, django_capture_on_commit_callbacks, email)
    page = client.get(reverse("portal:submitted", args=[dossier.reference])).content.decode()
    assert promise in page


def test_a_supplement_request_is_told_with_every_item_and_the_lookup_link(world, mailoutbox):
    dossier = bring_to(world, State.PROCESSING)
    event = services.dossier_request_supplement(
        actor=world.staff[Role.SPECIALIST],
        dossier=dossier,
        missing_items=["Bản sao sổ hộ khẩu", "Giấy chứng sinh"],
        note="Nộp bản sao có chứng thực",
    ).event
    assert send_messages_of(event.pk) == "sent"
    body = mailoutbox[0].body
    assert "Cơ quan yêu cầu bổ sung hồ sơ" in mailoutbox[0].subject
    assert "Chờ bạn bổ sung giấy tờ: Bản sao sổ hộ khẩu; Giấy chứng sinh." in body
    assert "Nộp bản sao có chứng thực" in body and "Hẹn trả kết quả" not in body
    assert f"Tra cứu: {lookup_url(dossier)}" in body


def test_reception_is_told_with_the_appointment(world, mailoutbox):
    dossier = world.receive()
    assert send_messages_of(dossier.events.get().pk) == "sent"
    assert "Đã tiếp nhận hồ sơ" in mailoutbox[0].subject
    body = mailoutbox[0].body
    assert "Cơ quan đang giải quyết." in body
    assert f"Hẹn trả kết quả: {moment(dossier.appointment_at)}." in body


@pytest.mark.parametrize("amounts", [[0], [0, 0], []])
def test_a_free_procedure_says_it_is_free_on_the_review_page(client, world, amounts):
    world.procedure.fees.all().delete()
    for n, amount in enumerate(amounts):
        world.procedure.fees.create(name=f"Lệ phí {n}", amount=amount)
    online_world(world)
    client.force_login(citizen())
    client.get(reverse("portal:start", args=[world.procedure.national_code]))
    dossier = Dossier.objects.get()
    page = client.get(reverse("portal:review", args=[dossier.reference])).content.decode()
    assert "Thủ tục này không mất phí, lệ phí." in page
    assert "bạn sẽ được thông báo cách nộp" not in page


def test_a_procedure_with_a_fee_still_says_how_it_is_paid(client, world):
    online_world(world)
    client.force_login(citizen())
    client.get(reverse("portal:start", args=[world.procedure.national_code]))
    dossier = Dossier.objects.get()
    page = client.get(reverse("portal:review", args=[dossier.reference])).content.decode()
    assert "20.000 đ" in page and "bạn sẽ được thông báo cách nộp" in page
    assert "không mất phí" not in page


def test_the_rating_link_goes_once_rated_even_from_a_cached_lookup(
    client, world, django_capture_on_commit_callbacks
):
    dossier = bring_to(world, State.RETURNED)
    before = lookup_page(dossier, "5678")
    assert "Đánh giá mức độ hài lòng" in before and "Bạn đã đánh giá" not in before
    assert pagecache.pages().get(pagecache.key("lookup", "page", "vi", dossier.code))
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reverse("portal:rate_by_code"),
            {"ma": dossier.code, "dt": "5678", "rate": "1", **FORM_ANSWERS},
        )
    assert done.status_code == 302 and Rating.objects.filter(dossier=dossier).exists()
    after = lookup_page(dossier, "5678")
    assert "Đánh giá mức độ hài lòng" not in after
    assert "Bạn đã đánh giá hồ sơ này." in after


def test_a_lookup_rendered_while_the_applicant_rates_is_not_kept(world):
    dossier = bring_to(world, State.RETURNED)

    def build_while_the_applicant_rates(row):
        portal_services.rate_dossier(dossier=row, answers=ANSWERS, via=Rating.Via.LOOKUP)
        return "the page with the rating link"

    assert cached_public_lookup("page", dossier.code, "5678", build_while_the_applicant_rates)
    assert pagecache.pages().get(pagecache.key("lookup", "page", "vi", dossier.code)) is None


def test_my_dossier_offers_the_rating_once(client, world):
    online_world(world)
    user = citizen()
    dossier = bring_to(world, State.RETURNED)
    Dossier.objects.filter(pk=dossier.pk).update(owner=user)
    client.force_login(user)
    url = reverse("portal:my_dossier", args=[dossier.reference])
    assert reverse("portal:rate", args=[dossier.reference]) in client.get(url).content.decode()
    portal_services.rate_dossier(dossier=dossier, answers=ANSWERS, by=user, via="account")
    page = client.get(url).content.decode()
    assert reverse("portal:rate", args=[dossier.reference]) not in page
    assert "Bạn đã đánh giá hồ sơ này." in page


def test_links_follow_the_request_in_development_and_the_setting_elsewhere(world, settings):
    settings.ALLOWED_HOSTS = ["192.168.1.5"]
    settings.MOTCUA = {**settings.MOTCUA, "PUBLIC_URL": "https://dichvucong.example.vn"}
    dossier = bring_to(world, State.RECEIVED)
    request = RequestFactory().get("/", HTTP_HOST="192.168.1.5:8123")
    assert lookup_url(dossier, request).startswith("http://192.168.1.5:8123/tra-cuu/?ma=")
    # A task has no request: the configured address.
    assert lookup_url(dossier).startswith("https://dichvucong.example.vn/tra-cuu/?ma=")
    settings.ENVIRONMENT = "production"
    assert lookup_url(dossier, request).startswith("https://dichvucong.example.vn/tra-cuu/?ma=")
