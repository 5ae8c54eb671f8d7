"""Retention: personal data goes when its period ends, the event chain still verifies, and
what is not yet due stays."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from motcua.dossiers import services
from motcua.dossiers.audit import verify_all
from motcua.dossiers.models import Dossier, DossierEvent, DossierFile
from motcua.monitoring.models import DossierTally
from motcua.portal.models import Feedback
from motcua.privacy.models import PersonalDataAccess, Purpose
from motcua.privacy.retention import MARKER, apply_retention
from tests.world import pdf_upload

pytestmark = pytest.mark.django_db
LATER = timedelta(days=365 * 11)


@pytest.fixture
def periods(settings):
    settings.MOTCUA = {
        **settings.MOTCUA,
        "RETENTION": {
            "ACCESS_YEARS": 5,
            "DOSSIER_YEARS": 10,
            "DRAFT_DAYS": 30,
            "FEEDBACK_YEARS": 5,
        },
    }


@pytest.fixture
def withdrawn(world, online_dossier):
    return services.dossier_withdraw(
        actor=world.citizen, dossier=online_dossier, reasons="Tôi, Trần Thị Cúc, xin rút"
    ).dossier


def test_a_dry_run_counts_and_changes_nothing(periods, withdrawn, capsys):
    call_command("apply_retention")
    out = capsys.readouterr().out
    assert "chạy thử" in out
    report = apply_retention(now=timezone.now() + LATER)
    assert (report.dossiers, report.files) == (1, 1)
    withdrawn.refresh_from_db()
    assert withdrawn.applicant_name == "Trần Thị Cúc"
    assert not DossierEvent.objects.filter(action="anonymize").exists()


def test_an_expired_dossier_is_anonymized_and_its_chain_still_verifies(
    periods, world, withdrawn, settings, django_capture_on_commit_callbacks
):
    stored = withdrawn.files.get()
    path = settings.MEDIA_ROOT / stored.file.name
    assert path.exists()
    tally_before = DossierTally.objects.get(dossier_id=withdrawn.pk).facts
    with_citizen = DossierEvent.objects.filter(dossier=withdrawn, actor=world.citizen).count()
    assert with_citizen >= 3

    with django_capture_on_commit_callbacks(execute=True):  # files go once committed
        report = apply_retention(now=timezone.now() + LATER, dry_run=False)

    assert (report.dossiers, report.files, report.skipped) == (1, 1, [])
    d = Dossier.objects.get(pk=withdrawn.pk)
    assert d.applicant_name == MARKER and d.applicant_id_number == MARKER
    assert d.applicant_phone == MARKER and d.owner is None
    assert d.code == withdrawn.code and d.state == withdrawn.state  # still counts
    assert not path.exists()
    assert DossierFile.objects.get(pk=stored.pk).original_name == MARKER
    events = DossierEvent.objects.filter(dossier=d)
    assert not events.filter(actor=world.citizen).exists()
    assert not events.filter(note__contains="Trần Thị Cúc").exists()
    assert events.filter(action="anonymize").count() == 1
    call_command("verify_audit")  # raises CommandError on a broken chain
    assert DossierTally.objects.get(dossier_id=d.pk).facts == tally_before
    # Run again: nothing more to do.
    assert apply_retention(now=timezone.now() + LATER, dry_run=False).dossiers == 0


def test_editing_a_blanked_event_afterwards_still_shows(periods, withdrawn):
    apply_retention(now=timezone.now() + LATER, dry_run=False)
    blanked = DossierEvent.objects.filter(dossier=withdrawn, actor_name=MARKER).first()
    DossierEvent.objects.filter(pk=blanked.pk).update(to_state="returned")
    assert [p.seq for p in verify_all()] == [blanked.seq]
    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_a_broken_chain_is_left_for_an_inquiry(periods, withdrawn):
    DossierEvent.objects.filter(dossier=withdrawn, seq=1).update(note="sửa tay")
    report = apply_retention(now=timezone.now() + LATER, dry_run=False)
    assert report.dossiers == 0 and report.skipped == [withdrawn.code]
    withdrawn.refresh_from_db()
    assert withdrawn.applicant_name == "Trần Thị Cúc"


def test_a_stale_draft_loses_its_files_and_a_fresh_one_keeps_them(
    periods, world, settings, django_capture_on_commit_callbacks
):
    from motcua.dossiers.services import online

    def draft_with_file():
        draft = world.draft()
        online.dossier_attach_files(
            owner=world.citizen,
            dossier=draft,
            component_id=world.procedure.components.first().pk,
            uploads=[pdf_upload("giay-khai-sinh.pdf")],
        )
        return draft

    stale, fresh = draft_with_file(), draft_with_file()
    Dossier.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - timedelta(days=31))
    stale_path = settings.MEDIA_ROOT / stale.files.get().file.name
    with django_capture_on_commit_callbacks(execute=True):
        report = apply_retention(dry_run=False)
    assert (report.drafts, report.files) == (1, 1)
    assert not stale_path.exists() and not stale.files.exists()
    assert Dossier.objects.get(pk=stale.pk).applicant_name == MARKER
    assert fresh.files.count() == 1
    assert Dossier.objects.get(pk=fresh.pk).applicant_name == "Trần Thị Cúc"
    call_command("verify_audit")


def test_old_access_records_and_feedback_senders_go(periods, world, online_dossier):
    now = timezone.now()
    old = PersonalDataAccess.objects.create(
        at=now - timedelta(days=365 * 6), user_name="Cán bộ cũ", purpose=Purpose.DOSSIER_PAGE
    )
    recent = PersonalDataAccess.objects.create(
        at=now - timedelta(days=365), user_name="Cán bộ mới", purpose=Purpose.DOSSIER_PAGE
    )
    feedback = Feedback.objects.create(
        title="Chậm", content="Hồ sơ chậm", sender_name="Lê Văn Dũng", sender_phone="0911111111"
    )
    Feedback.objects.filter(pk=feedback.pk).update(created_at=now - timedelta(days=365 * 6))
    report = apply_retention(dry_run=False)
    assert (report.access_records, report.feedback) == (1, 1)
    assert not PersonalDataAccess.objects.filter(pk=old.pk).exists()
    assert PersonalDataAccess.objects.filter(pk=recent.pk).exists()
    feedback.refresh_from_db()
    assert feedback.sender_name == MARKER and feedback.sender_phone == ""


def test_a_period_of_zero_keeps_everything(settings, withdrawn):
    settings.MOTCUA = {
        **settings.MOTCUA,
        "RETENTION": {"ACCESS_YEARS": 0, "DOSSIER_YEARS": 0, "DRAFT_DAYS": 0, "FEEDBACK_YEARS": 0},
    }
    report = apply_retention(now=timezone.now() + LATER * 10, dry_run=False)
    assert (report.dossiers, report.drafts, report.access_records) == (0, 0, 0)
    withdrawn.refresh_from_db()
    assert withdrawn.applicant_name == "Trần Thị Cúc"
