"""Feedback handled on time (766, indicator 5.2): due 15 working days after it is sent, counted
for the agency addressed, in the score and on the supervisor's page."""

from datetime import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from motcua.monitoring import figures
from motcua.monitoring.figures import Scope
from motcua.monitoring.periods import Period
from motcua.org.models import Agency, User
from motcua.portal import services

pytestmark = pytest.mark.django_db


def _at(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(text))


def _send(agency, when: str):
    with time_machine.travel(_at(when), tick=False):
        return services.feedback_send(
            data={
                "title": "Chậm trả kết quả",
                "content": "Hồ sơ của tôi chưa có kết quả",
                "sender_name": "Trần Văn An",
                "sender_phone": "0912345678",
                "agency": agency.pk if agency else "",
            }
        )


def _answer(fb, when: str):
    actor = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "quantri-tl", password="x"
    )
    with time_machine.travel(_at(when), tick=False):
        services.feedback_answer(actor=actor, feedback=fb, answer="Đã xem xét và trả lời ông.")


def test_fifteen_working_days_to_answer(demo_province):
    agency = Agency.objects.order_by("pk").first()
    # Sent at 09:00 on Monday 2 March 2026: 15 working days have passed at 09:00 on Monday
    # 23 March (working time, as a dossier's due time is counted).
    on_time = _send(agency, "2026-03-02 09:00")
    assert timezone.localtime(on_time.due_at).isoformat()[:16] == "2026-03-23T09:00"
    _answer(on_time, "2026-03-19 10:00")
    late = _send(agency, "2026-03-03 09:00")
    _answer(late, "2026-04-15 10:00")  # answered in April, late
    _send(agency, "2026-03-25 09:00")  # open at the end of March, not yet due
    _send(None, "2026-03-05 09:00")  # to nobody in particular: the province's only
    march = Period.month(2026, 3)
    now = _at("2026-05-01 08:00")
    agency_fig = figures.total(Scope(agencies=frozenset({agency.pk})), march, now=now)
    rate = agency_fig.rate("feedback_on_time")
    # Answered in March: 1 (in time); open at its end: 2 (one in time, one overdue).
    assert (rate.numerator, rate.denominator) == (2, 3)
    assert rate.points == pytest.approx(4.0)
    province = figures.total(Scope(), march, now=now).rate("feedback_on_time")
    assert (province.numerator, province.denominator) == (2, 4)  # the general one is overdue
    april = figures.total(Scope(agencies=frozenset({agency.pk})), Period.month(2026, 4), now=now)
    assert april.feedback["fb_answered"] == 1 and april.feedback["fb_answered_in_time"] == 0


def test_the_dashboard_shows_the_feedback_indicator(client, demo_province):
    agency = Agency.objects.order_by("pk").first()
    today = timezone.localtime()
    _send(agency, today.replace(day=1, hour=8, tzinfo=None).isoformat())
    client.force_login(User.objects.get(username="giamsat.tinh"))
    page = client.get(reverse("monitoring:dashboard")).content.decode()
    assert "Phản ánh, kiến nghị xử lý đúng hạn (5.2): 1 / 1" in page
    assert "0 đã trả lời trong kỳ, 1 đang chờ trả lời" in page
