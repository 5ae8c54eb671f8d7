"""Nothing lost, nothing doubled: codes, crashes mid-action, the audit chain, stored files."""

import hashlib

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from motcua.dossiers import services
from motcua.dossiers.errors import Conflict, InvalidInput
from motcua.dossiers.models import CodeCounter, Dossier, DossierEvent, DossierFile
from motcua.org.models import Role
from tests.world import PDF, at, pdf_upload

pytestmark = pytest.mark.django_db


def test_codes_run_per_agency_per_day(world):
    first = world.receive(now=at("2026-03-02 08:00"))
    second = world.receive(now=at("2026-03-02 09:00"))
    next_day = world.receive(now=at("2026-03-03 08:00"))
    assert first.code == "000.01.01.T99-260302-0001"
    assert second.code == "000.01.01.T99-260302-0002"
    assert next_day.code == "000.01.01.T99-260303-0001"


def test_crash_after_the_state_write_leaves_nothing(world, monkeypatch):
    dossier = world.receive()
    before = (dossier.state, dossier.version, DossierEvent.objects.count())

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    # The state is already changed in memory and the step rows written when the event
    # write fails: the whole action must roll back.
    monkeypatch.setattr(DossierEvent, "save", boom)
    with pytest.raises(RuntimeError):
        services.dossier_forward(actor=world.staff[Role.RECEPTION_OFFICER], dossier=dossier)
    dossier.refresh_from_db()
    assert (dossier.state, dossier.version, DossierEvent.objects.count()) == before
    assert dossier.steps.count() == 1


def test_crash_during_counter_reception_leaves_no_half_made_dossier(world, monkeypatch):
    counters = CodeCounter.objects.count()

    def boom(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(DossierEvent, "save", boom)
    with pytest.raises(RuntimeError):
        world.receive()
    assert Dossier.objects.count() == 0 and DossierFile.objects.count() == 0
    assert CodeCounter.objects.count() == counters


def test_stale_version_is_a_conflict(world):
    dossier = world.receive()
    old_version = dossier.version
    services.dossier_forward(actor=world.staff[Role.RECEPTION_OFFICER], dossier=dossier)
    with pytest.raises(Conflict, match="người khác thay đổi"):
        services.dossier_assign(
            actor=world.staff[Role.DIVISION_HEAD],
            dossier=dossier,
            assignee=world.staff[Role.SPECIALIST],
            expected_version=old_version,
        )


def test_verify_audit_passes_then_detects_edit_and_deletion(world, capsys):
    dossier = world.receive()
    services.dossier_forward(actor=world.staff[Role.RECEPTION_OFFICER], dossier=dossier)
    services.dossier_suspend(actor=world.staff[Role.AGENCY_LEADER], dossier=dossier, reasons="Chờ")
    other = world.receive()
    call_command("verify_audit")
    assert "toàn vẹn" in capsys.readouterr().out

    DossierEvent.objects.filter(dossier=dossier, seq=2).update(note="sửa lén")
    DossierEvent.objects.filter(dossier=other, seq=1).delete()
    with pytest.raises(CommandError):
        call_command("verify_audit")
    out = capsys.readouterr().out
    assert f"{dossier.code} #2: nội dung sự kiện đã bị sửa" in out
    assert f"{other.code}: sự kiện cuối cùng bị xóa hoặc bị thay" in out


def test_deleting_a_middle_event_is_detected(world, capsys):
    dossier = world.receive()
    officer = world.staff[Role.RECEPTION_OFFICER]
    services.dossier_forward(actor=officer, dossier=dossier)
    services.dossier_request_supplement(
        actor=world.staff[Role.SPECIALIST], dossier=dossier, missing_items=["A"]
    )
    DossierEvent.objects.filter(dossier=dossier, seq=2).delete()
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert "sự kiện bị xóa" in capsys.readouterr().out


def test_files_are_checked_by_content_and_hashed(world):
    dossier = world.receive(files=[pdf_upload("to-khai.pdf")])
    stored = dossier.files.get()
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert stored.content_type == "application/pdf" and stored.original_name == "to-khai.pdf"
    assert stored.file.read() == PDF

    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile(
        "anh.pdf", b"MZ\x90\x00 this is an exe", content_type="application/pdf"
    )
    with pytest.raises(InvalidInput) as caught:
        world.receive(files=[fake])
    assert "không đúng loại được nhận" in caught.value.fields["files"][0]


def test_too_large_file_is_refused(world, settings):
    settings.MOTCUA = {**settings.MOTCUA, "MAX_UPLOAD_MB": 1}
    big = pdf_upload("lon.pdf", PDF + b"0" * (1024 * 1024))
    with pytest.raises(InvalidInput) as caught:
        world.receive(files=[big])
    assert "lớn quá 1 MB" in caught.value.fields["files"][0]
    assert Dossier.objects.count() == 0


def test_the_notification_task_commits_with_the_change_or_not_at_all(
    world, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from motcua.notify.models import Message

    with pytest.raises(RuntimeError), transaction.atomic():
        world.receive()
        assert Message.objects.count() == 2 and DBTaskResult.objects.count() == 1
        raise RuntimeError("the request fails after the reception")
    assert Message.objects.count() == 0 and DBTaskResult.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        world.receive()
    # Only the cached public lookup waits for the commit; the task is in the transaction.
    assert sorted(c.__qualname__.split(".")[0] for c in callbacks) == ["drop_on_commit"]
    (task,) = DBTaskResult.objects.all()
    assert task.task_path == "motcua.notify.tasks.deliver_many"
    assert sorted(task.args_kwargs["args"][0]) == sorted(
        str(pk) for pk in Message.objects.values_list("pk", flat=True)
    )


def test_applicant_receives_an_email_on_reception(world, mailoutbox):
    from tests.world import send_messages_of

    dossier = world.receive()
    event = dossier.events.get()
    assert send_messages_of(event.pk) == "sent"
    assert len(mailoutbox) == 1
    assert dossier.code in mailoutbox[0].subject and "Đã tiếp nhận" in mailoutbox[0].subject
    assert "binh@example.vn" in mailoutbox[0].to


def test_internal_hand_over_sends_nothing(world, mailoutbox):
    from tests.world import send_messages_of

    dossier = world.receive()
    result = services.dossier_forward(actor=world.staff[Role.RECEPTION_OFFICER], dossier=dossier)
    assert send_messages_of(result.event.pk) == "skipped"
    assert mailoutbox == []


def test_chain_verifies_for_actions_dated_in_local_time(world, capsys):
    # Bug: the hash used the time's own zone, and the database returns UTC.
    dossier = world.receive(now=at("2026-03-02 08:00"))
    services.dossier_forward(
        actor=world.staff[Role.RECEPTION_OFFICER], dossier=dossier, now=at("2026-03-02 09:00")
    )
    call_command("verify_audit")
    assert "toàn vẹn" in capsys.readouterr().out
