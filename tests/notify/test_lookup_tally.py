"""Lookups counted per day, channel, agency and outcome (issue 16, point 8): the public page,
the API, SMS, Zalo and the hotline desk each count theirs; the counts gather in a buffer that
reaches the database in batches, so the cached public lookup still costs no query."""

import hashlib
import json
import time

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from motcua.core import pagecache
from motcua.notify import tally
from motcua.notify.models import LookupCount
from motcua.org.models import Role
from tests.factories import UserFactory
from tests.world import bring_to

pytestmark = pytest.mark.django_db

PHONE = "0912345678"  # tests.world's applicant


def counts() -> dict[tuple[str, int, bool], int]:
    return {
        (r.channel, r.agency_id, r.found): r.count
        for r in LookupCount.objects.filter(day=timezone.localdate())
    }


@pytest.fixture
def dossier(world):
    return bring_to(world, "processing")


@pytest.fixture
def buffered(settings, monkeypatch):
    """Counts kept for 10 seconds of a clock the test moves by hand."""
    settings.MOTCUA = {**settings.MOTCUA, "LOOKUP_TALLY_FLUSH_SECONDS": 10}
    clock = [1000.0]
    monkeypatch.setattr(tally.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(tally, "_schedule", lambda delay: None)  # no idle timer here
    monkeypatch.setattr(tally, "_oldest", None)
    return clock


@pytest.fixture(autouse=True)
def _empty_buffer(monkeypatch):
    tally._buffer.clear()
    monkeypatch.setattr(tally, "_oldest", None)
    yield
    tally._buffer.clear()


# --- each channel --------------------------------------------------------------------------


def test_the_public_page_counts_found_and_not_found_with_the_agency(client, dossier):
    agency = dossier.receiving_agency_id
    page = reverse("portal:lookup")
    assert client.get(page, {"ma": dossier.code, "dt": "5678"}).status_code == 200
    client.get(page, {"ma": dossier.code, "dt": "5678"})  # from the page cache this time
    client.get(page, {"ma": dossier.code, "dt": "0000"})  # a wrong phone
    client.get(page, {"ma": "000.00.00.X00-000000-0000", "dt": "5678"})
    client.get(page)  # no question asked: no lookup
    assert counts() == {("web", agency, True): 2, ("web", 0, False): 2}


def test_a_signed_in_lookup_counts_too(client, dossier, world):
    client.force_login(world.citizen)
    client.get(reverse("portal:lookup"), {"ma": dossier.code, "dt": "5678"})
    assert counts() == {("web", dossier.receiving_agency_id, True): 1}


def test_an_answer_cached_before_agencies_were_kept_still_counts(client, dossier):
    """An entry of the old shape (digits, page) found in the cache after an upgrade."""
    key = pagecache.key("lookup", "page", "vi", dossier.code)
    pagecache.pages().set(key, ("5678", "<p>trang cũ</p>"))
    answer = client.get(reverse("portal:lookup"), {"ma": dossier.code, "dt": "5678"})
    assert answer.content.decode() == "<p>trang cũ</p>"
    assert counts() == {("web", 0, True): 1}


def test_a_lookup_refused_for_too_many_guesses_is_not_counted(client, dossier, settings):
    settings.MOTCUA = {**settings.MOTCUA, "LOOKUP_PER_MINUTE": 3}
    statuses = [
        client.get(reverse("portal:lookup"), {"ma": dossier.code, "dt": "0000"}).status_code
        for _i in range(6)
    ]
    assert statuses == [200, 200, 200, 429, 429, 429]
    assert counts() == {("web", 0, False): 3}


def test_the_api_counts_its_lookups(client, dossier):
    url = reverse("api:lookup", args=[dossier.code])
    assert client.get(url, {"phone": "5678"}).status_code == 200
    assert client.get(url, {"phone": "5678"}).status_code == 200
    assert client.get(url, {"phone": "1111"}).status_code == 404
    assert counts() == {("api", dossier.receiving_agency_id, True): 2, ("api", 0, False): 1}


def test_a_lookup_by_sms_counts(client, dossier):
    mo = reverse("notify:sms_mo")
    client.post(mo, {"Phone": "+84912345678", "Message": f"TRACUU {dossier.code}"})
    client.post(mo, {"Phone": "0987000111", "Message": f"TRACUU {dossier.code}"})  # no proof
    client.post(mo, {"Phone": "0987000222", "Message": "xin chao"})  # not a lookup
    assert counts() == {("sms", dossier.receiving_agency_id, True): 1, ("sms", 0, False): 1}


def _zalo(client, text, user):
    body = {
        "app_id": "4321",
        "event_name": "user_send_text",
        "sender": {"id": user},
        "recipient": {"id": "oa-1"},
        "message": {"text": text, "msg_id": f"m-{user}"},
        "timestamp": "1699003881354",
    }
    raw = json.dumps(body, ensure_ascii=False)
    mac = hashlib.sha256((body["app_id"] + raw + body["timestamp"] + "oa-secret").encode())
    return client.post(
        reverse("notify:zalo_events"),
        raw.encode(),
        content_type="application/json",
        HTTP_X_ZEVENT_SIGNATURE=f"mac={mac.hexdigest()}",
    )


def test_a_lookup_on_zalo_counts(client, dossier, monkeypatch):
    monkeypatch.setenv("ZALO_OA_SECRET_KEY", "oa-secret")
    assert _zalo(client, f"{dossier.code} 5678", "7231").json() == {"error": 0}
    _zalo(client, f"{dossier.code} 1111", "7232")
    assert counts() == {("zalo", dossier.receiving_agency_id, True): 1, ("zalo", 0, False): 1}


def test_the_hotline_counts_one_lookup_per_search(client, world, dossier):
    operator = UserFactory(roles=[(Role.HOTLINE_OPERATOR, world.province)])
    client.force_login(operator)
    desk = reverse("hotline:desk")
    client.get(desk, {"q": dossier.code})  # one dossier: its agency
    world.receive()  # the same applicant's second dossier
    client.get(desk, {"q": PHONE})  # two dossiers: found, no one agency
    client.get(desk, {"q": "0999888777"})  # nobody
    client.get(desk, {"q": "ab"})  # refused as too short: no search made
    assert counts() == {
        ("hotline", dossier.receiving_agency_id, True): 1,
        ("hotline", 0, True): 1,
        ("hotline", 0, False): 1,
    }


# --- the buffer ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_counts_wait_in_the_buffer_until_the_interval_has_passed(buffered):
    tally.count_lookup("web", 7, True)
    buffered[0] += 4
    tally.count_lookup("web", 7, True)
    tally.count_lookup("api", None, False)
    assert counts() == {}  # nothing written yet
    buffered[0] += 6  # the oldest count is now 10 seconds old: the next count writes all
    tally.count_lookup("web", 7, True)
    assert counts() == {("web", 7, True): 3, ("api", 0, False): 1}
    tally.count_lookup("web", 7, True)
    assert counts()[("web", 7, True)] == 3  # a new batch has begun
    assert tally.flush() == 1
    assert counts()[("web", 7, True)] == 4


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_counts_wait_for_their_own(buffered):
    """A webhook answers inside its transaction: its row locks must not last until that
    commits, nor its rollback take the counts along."""
    tally.count_lookup("sms", 7, True)
    buffered[0] += 60
    with transaction.atomic():
        tally.count_lookup("sms", 7, True)
        assert counts() == {}
        transaction.set_rollback(True)
    tally.count_lookup("sms", 7, True)  # outside: written, rolled-back webhook included
    assert counts() == {("sms", 7, True): 3}


@pytest.mark.django_db(transaction=True)
def test_a_cached_public_lookup_costs_no_query_when_buffered(
    client, dossier, buffered, django_assert_num_queries
):
    page = reverse("portal:lookup")
    client.get(page, {"ma": dossier.code, "dt": "5678"})  # renders and caches the answer
    with django_assert_num_queries(0):
        assert client.get(page, {"ma": dossier.code, "dt": "5678"}).status_code == 200
    tally.flush()
    assert counts() == {("web", dossier.receiving_agency_id, True): 2}


def test_a_flush_adds_to_the_existing_row(db):
    today = timezone.localdate()
    LookupCount.objects.create(day=today, channel="sms", agency_id=3, found=True, count=40)
    tally._buffer[(today, "sms", 3, True)] = 2
    tally._buffer[(today, "sms", 0, False)] = 5
    assert tally.flush() == 7
    assert counts() == {("sms", 3, True): 42, ("sms", 0, False): 5}
    assert LookupCount.objects.count() == 2  # one row per key, unknown agency included
    tally._buffer[(today, "sms", 0, False)] = 1
    tally.flush()
    assert LookupCount.objects.filter(agency_id=0).get().count == 6


def test_a_row_inserted_meanwhile_by_another_process_is_added_to(db, monkeypatch):
    """Our UPDATE finds no row, another process inserts it just then, our INSERT hits the
    unique key: the count goes to that row, none is lost and no second row is made."""
    today = timezone.localdate()
    real_filter = LookupCount.objects.filter
    updates = []

    def filter_then_race(**key):
        qs = real_filter(**key)
        real_update = qs.update

        def update(**change):
            updates.append(change)
            if len(updates) == 1:
                LookupCount.objects.create(**key, count=10)  # the other process
                return 0
            return real_update(**change)

        qs.update = update
        return qs

    monkeypatch.setattr(LookupCount.objects, "filter", filter_then_race)
    tally._buffer[(today, "web", 0, False)] = 3
    assert tally.flush() == 3
    assert len(updates) == 2
    assert counts() == {("web", 0, False): 13}


def test_at_once_mode_writes_every_count(db):
    tally.count_lookup("hotline", None, False)
    tally.count_lookup("hotline", None, False)
    assert counts() == {("hotline", 0, False): 2}


def test_a_failed_write_keeps_the_counts_and_never_reaches_the_lookup(
    client, dossier, monkeypatch, caplog
):
    def down(key, n):
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(tally, "_add", down)
    answer = client.get(reverse("portal:lookup"), {"ma": dossier.code, "dt": "5678"})
    assert answer.status_code == 200 and dossier.code in answer.content.decode()
    assert "lookup counts not written" in caplog.text
    monkeypatch.undo()
    assert tally.flush() == 1
    assert counts() == {("web", dossier.receiving_agency_id, True): 1}


def test_a_bad_channel_is_logged_not_raised(db, caplog):
    tally.count_lookup("fax", None, True)
    assert "could not be counted" in caplog.text
    assert counts() == {}


@pytest.mark.django_db(transaction=True)
def test_an_idle_process_writes_its_counts_from_the_timer(settings):
    settings.MOTCUA = {**settings.MOTCUA, "LOOKUP_TALLY_FLUSH_SECONDS": 0.5}
    tally.count_lookup("api", 5, True)
    assert counts() == {}
    # Wait for the timer's thread itself (a write that failed schedules another try), not
    # for the table: the test database may refuse a read while that thread writes.
    deadline = time.monotonic() + 10
    timer = tally._timer
    assert timer is not None and timer.daemon
    while timer is not None and time.monotonic() < deadline:
        timer.join(deadline - time.monotonic())
        timer = tally._timer
    assert counts() == {("api", 5, True): 1}
