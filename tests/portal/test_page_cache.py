"""Public pages served from the shared cache: never older than the data they show."""

import pytest
from django.urls import reverse

from motcua.core import pagecache
from motcua.dossiers import services
from motcua.dossiers.lifecycle import State
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import cached_public_lookup
from motcua.org.models import Role
from tests.world import bring_to

pytestmark = pytest.mark.django_db


def lookup(client, dossier, digits="5678", **extra):
    return client.get(reverse("portal:lookup"), {"ma": dossier.code, "dt": digits}, **extra)


def test_a_change_shows_on_the_next_lookup(client, world, django_capture_on_commit_callbacks):
    dossier = bring_to(world, State.RECEIVED)
    assert "Đã tiếp nhận" in lookup(client, dossier).content.decode()
    assert pagecache.pages().get(pagecache.key("lookup", "page", "vi", dossier.code))
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_forward(actor=world.staff[Role.RECEPTION_OFFICER], dossier=dossier)
    page = lookup(client, dossier).content.decode()
    assert "Đang xử lý" in page and "Đã tiếp nhận hồ sơ" in page


def test_the_api_answer_follows_the_dossier_too(client, world, django_capture_on_commit_callbacks):
    dossier = bring_to(world, State.RECEIVED)
    url = reverse("api:lookup", args=[dossier.code])
    assert client.get(url, {"phone": "5678"}).json()["state"] == "received"
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_forward(actor=world.staff[Role.RECEPTION_OFFICER], dossier=dossier)
    answer = client.get(url, {"phone": "5678"}).json()
    assert answer["state"] == "processing"
    assert [line["label"] for line in answer["timeline"]] == ["Tiếp nhận hồ sơ"]  # no hand-over


def test_a_cached_answer_still_needs_the_right_phone(client, world):
    dossier = bring_to(world, State.RECEIVED)
    assert f"Hồ sơ {dossier.code}" in lookup(client, dossier).content.decode()
    wrong = lookup(client, dossier, digits="1111").content.decode()
    assert f"Hồ sơ {dossier.code}" not in wrong and "Không tìm thấy" in wrong


def test_an_answer_rendered_while_the_dossier_changes_is_not_kept(world):
    """A writer committing between the reader's query and its cache write: the reader's
    re-check sees the new version and withdraws the old page."""
    dossier = bring_to(world, State.RECEIVED)

    def build_while_an_officer_acts(row):
        Dossier.objects.filter(pk=row.pk).update(version=row.version + 1)
        return f"state {row.state}"

    assert cached_public_lookup("page", dossier.code, "5678", build_while_an_officer_acts)
    key = pagecache.key("lookup", "page", "vi", dossier.code)
    assert pagecache.pages().get(key) is None
    assert cached_public_lookup("page", dossier.code, "5678", lambda row: "again") == "again"
    assert pagecache.pages().get(key) is not None


def test_signed_in_visitors_and_form_tokens_never_reach_the_cache(client, world):
    dossier = bring_to(world, State.RECEIVED)
    page = lookup(client, dossier).content.decode()
    assert "csrfmiddlewaretoken" not in page
    client.force_login(world.staff[Role.SPECIALIST])
    mine = lookup(client, dossier).content.decode()
    assert "Trang cán bộ" in mine  # rendered for this officer, not the cached anonymous page
    client.logout()
    assert "Trang cán bộ" not in lookup(client, dossier).content.decode()


def test_right_answers_are_not_counted_against_the_limit(client, world, settings):
    settings.MOTCUA = {**settings.MOTCUA, "LOOKUP_PER_MINUTE": 3}
    dossier = bring_to(world, State.RECEIVED)
    for _ in range(10):
        assert lookup(client, dossier).status_code == 200
    for _ in range(3):
        assert "Không tìm thấy" in lookup(client, dossier, digits="0000").content.decode()
    # Once an address guessed wrong too often, even a right pair is refused for the minute.
    assert lookup(client, dossier).status_code == 429
    api = client.get(reverse("api:lookup", args=[dossier.code]), {"phone": "5678"})
    assert api.status_code == 429 and "quá nhiều lần" in api.json()["detail"]


def test_catalog_pages_change_with_the_catalog(client, world, django_capture_on_commit_callbacks):
    url = reverse("portal:procedure_list")
    assert "Thủ tục thử nghiệm liên thông" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        world.procedure.name = "Thủ tục đã đổi tên"
        world.procedure.save()
    page = client.get(url).content.decode()
    assert "Thủ tục đã đổi tên" in page and "Thủ tục thử nghiệm liên thông" not in page


def test_an_agency_rename_reaches_the_lookup(client, world, django_capture_on_commit_callbacks):
    dossier = bring_to(world, State.RECEIVED)
    assert "UBND xã Thử" in lookup(client, dossier).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        world.commune_ubnd.name = "UBND phường Thử"
        world.commune_ubnd.save()
    assert "UBND phường Thử" in lookup(client, dossier).content.decode()


def test_english_pages_are_cached_apart(client, world):
    url = reverse("portal:procedure_list")
    vi = client.get(url).content.decode()
    en = client.get("/en" + url).content.decode()
    assert 'lang="vi"' in vi and 'lang="en"' in en
    assert client.get(url).content.decode() == vi


def test_the_suite_caches_in_memory():
    from django.core.cache import caches

    assert type(caches["pages"]).__name__ == "LocMemCache"
