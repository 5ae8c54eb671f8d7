"""Feedback from anyone, answered from the staff's queue within their agency; published only
when the sender allowed it. Rating a counter dossier with its code and phone."""

import pytest
from django.urls import reverse

from motcua.dossiers.lifecycle import State
from motcua.org.models import Role
from motcua.portal.models import Feedback, Rating
from tests.world import bring_to

pytestmark = pytest.mark.django_db


def send(client, world, **changes):
    data = {
        "kind": "feedback",
        "title": "Chờ lâu ở quầy",
        "content": "Sáng thứ Hai tôi chờ hơn một giờ mới được tiếp nhận hồ sơ.",
        "procedure": "",
        "agency": str(world.commune_ubnd.pk),
        "sender_name": "Trần Văn Nam",
        "sender_phone": "0912000111",
        "sender_email": "nam@example.vn",
        "allow_publish": "on",
        **changes,
    }
    return client.post(reverse("portal:feedback_new"), data)


def test_anyone_sends_feedback_and_gets_its_page(client, world):
    answer = send(client, world)
    item = Feedback.objects.get()
    assert answer["Location"] == reverse("portal:feedback_detail", args=[item.reference])
    page = client.get(answer["Location"]).content.decode()
    assert "Chờ lâu ở quầy" in page and "Chờ trả lời" in page
    assert "Chờ lâu ở quầy" not in client.get(reverse("portal:feedback_list")).content.decode()


def test_bad_feedback_is_explained_and_not_saved(client, world):
    answer = send(client, world, title="", content="ngắn", sender_phone="", sender_email="")
    page = answer.content.decode()
    assert "Nhập tiêu đề." in page and "ít nhất 10 ký tự" in page
    assert "Để lại số điện thoại hoặc thư điện tử" in page
    assert not Feedback.objects.exists()


def test_feedback_floods_are_limited(client, world, settings):
    settings.MOTCUA = {**settings.MOTCUA, "FEEDBACK_PER_HOUR": 2}
    for _ in range(2):
        send(client, world)
    page = send(client, world).content.decode()
    assert "nhiều phản ánh trong một giờ" in page and Feedback.objects.count() == 2


def test_staff_of_the_agency_answer_and_the_answer_is_published(client, world, mailoutbox):
    send(client, world)
    item = Feedback.objects.get()
    client.force_login(world.outsider)  # another commune's staff
    assert "Chờ lâu ở quầy" not in client.get(reverse("backoffice:feedback_queue")).content.decode()
    assert client.get(reverse("backoffice:feedback_item", args=[item.pk])).status_code == 404
    client.force_login(world.staff[Role.AGENCY_LEADER])
    assert "Chờ lâu ở quầy" in client.get(reverse("backoffice:feedback_queue")).content.decode()
    short = client.post(reverse("backoffice:feedback_item", args=[item.pk]), {"answer": "Ừ"})
    assert short.status_code == 400 and "ít nhất 10 ký tự" in short.content.decode()
    client.post(
        reverse("backoffice:feedback_item", args=[item.pk]),
        {"answer": "Từ tuần sau xã bố trí thêm một cán bộ tiếp nhận buổi sáng thứ Hai."},
    )
    item.refresh_from_db()
    assert (
        item.state == Feedback.State.ANSWERED
        and item.answered_by == world.staff[Role.AGENCY_LEADER]
    )
    public = client.get(reverse("portal:feedback_list")).content.decode()
    assert "bố trí thêm một cán bộ" in public and "Trần Văn Nam" not in public


def test_an_answer_the_sender_did_not_allow_stays_private(client, world):
    send(client, world, allow_publish="")
    item = Feedback.objects.get()
    client.force_login(world.staff[Role.AGENCY_LEADER])
    client.post(
        reverse("backoffice:feedback_item", args=[item.pk]),
        {"answer": "Xã đã nhắc nhở cán bộ và xin lỗi ông về việc chờ lâu."},
    )
    client.logout()
    assert "Chờ lâu" not in client.get(reverse("portal:feedback_list")).content.decode()
    mine = client.get(reverse("portal:feedback_detail", args=[item.reference])).content.decode()
    assert "xin lỗi ông" in mine


def test_the_answer_reaches_the_sender_by_email(world, mailoutbox, client):
    from motcua.notify.services import deliver
    from motcua.portal.services import feedback_answer

    send(client, world)
    item = feedback_answer(
        actor=world.staff[Role.AGENCY_LEADER],
        feedback=Feedback.objects.get(),
        answer="Xã đã bố trí thêm người vào sáng thứ Hai.",
    )
    (message,) = item.messages.all()
    assert deliver(message.pk) == "sent"
    assert mailoutbox[0].to == ["nam@example.vn"] and "thêm người" in mailoutbox[0].body


def test_rate_a_counter_dossier_with_its_code_and_phone(client, world):
    dossier = bring_to(world, State.RETURNED)
    url = reverse("portal:rate_by_code")
    wrong = client.get(url, {"ma": dossier.code, "dt": "0000"}).content.decode()
    assert "Không tìm thấy hồ sơ" in wrong
    form = client.get(url, {"ma": dossier.code, "dt": "5678"}).content.decode()
    assert "Thái độ phục vụ của cán bộ" in form
    answers = {f"c_{c}": "hai-long" for c in ("thai-do", "thoi-gian", "thu-tuc", "ket-qua")}
    done = client.post(url, {"ma": dossier.code, "dt": "5678", "rate": "1", **answers})
    assert done.status_code == 302
    rating = Rating.objects.get(dossier=dossier)
    assert rating.via == Rating.Via.LOOKUP and not rating.is_negative


def test_an_open_dossier_cannot_be_rated(client, world):
    dossier = bring_to(world, State.PROCESSING)
    page = client.get(reverse("portal:rate_by_code"), {"ma": dossier.code, "dt": "5678"})
    assert "Chỉ đánh giá được hồ sơ đã giải quyết xong." in page.content.decode()


def _answered(client, world, **changes):
    from motcua.portal import services

    send(client, world, **changes)
    item = Feedback.objects.get()
    services.feedback_answer(
        actor=world.staff[Role.AGENCY_LEADER],
        feedback=item,
        answer="Từ tuần sau xã bố trí thêm một cán bộ tiếp nhận.",
    )
    client.logout()
    return item


def test_the_sender_judges_the_answer_once_with_their_phone_digits(client, world):
    item = _answered(client, world)
    page = reverse("portal:feedback_detail", args=[item.reference])
    assert "Bạn có hài lòng với câu trả lời không?" in client.get(page).content.decode()
    # Anyone can open a published answer: only the sender's phone or e-mail lets them judge it.
    wrong = client.post(page, {"verdict": "unsatisfied", "proof": "1234"})
    assert wrong.status_code == 400 and "4 số cuối điện thoại" in wrong.content.decode()
    missing = client.post(page, {"proof": "0111"})
    assert missing.status_code == 400 and "Chọn hài lòng hoặc không hài lòng." in (
        missing.content.decode()
    )
    item.refresh_from_db()
    assert item.verdict == ""
    done = client.post(page, {"verdict": "unsatisfied", "proof": "0111"}, follow=True)
    text = done.content.decode()
    assert "Cảm ơn bạn đã đánh giá câu trả lời." in text and "Không hài lòng" in text
    again = client.post(page, {"verdict": "satisfied", "proof": "nam@example.vn"}, follow=True)
    assert "Bạn đã đánh giá câu trả lời này." in again.content.decode()
    item.refresh_from_db()
    assert item.verdict == Feedback.Verdict.UNSATISFIED and item.verdict_at is not None


def test_the_e_mail_proves_the_sender_too_and_guessing_is_limited(client, world, settings):
    settings.MOTCUA = {**settings.MOTCUA, "LOOKUP_PER_MINUTE": 3}
    item = _answered(client, world)
    page = reverse("portal:feedback_detail", args=[item.reference])
    for guess in ("0000", "1111", "2222"):
        assert client.post(page, {"verdict": "satisfied", "proof": guess}).status_code == 400
    limited = client.post(page, {"verdict": "satisfied", "proof": "NAM@example.vn"})
    assert limited.status_code == 429
    item.refresh_from_db()
    assert item.verdict == ""


def test_an_unanswered_feedback_cannot_be_judged(client, world):
    send(client, world)
    item = Feedback.objects.get()
    page = reverse("portal:feedback_detail", args=[item.reference])
    assert "Bạn có hài lòng" not in client.get(page).content.decode()
    refused = client.post(page, {"verdict": "satisfied", "proof": "0111"}, follow=True)
    assert "Phản ánh chưa được trả lời." in refused.content.decode()
