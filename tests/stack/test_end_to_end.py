"""One dossier across the scaled-out stack, then a burst that loses a server and a worker.

Received through app server A, processed through B, its files in the S3 store (private), its
notification sent by a task worker, its figures in the indicators; the public lookup on both
servers answers the new state right after each change (the page cache is shared in Redis and
dropped on commit). Then a burst through nginx while one app server and one worker are
SIGKILLed: every acknowledged dossier is there, whole.
"""

import email
import hashlib
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest
import requests
from django.utils import timezone

from tests.stack.client import PDF, act, intake, lookup, session, token, wait_for

pytestmark = pytest.mark.usefixtures("db_access")


def _phone() -> str:
    return "09" + "".join(random.choice("0123456789") for _ in range(8))


def _both_answer(stack, code: str, phone: str, state: str) -> None:
    for base in stack.app_urls:
        assert lookup(base, code, phone)["state"] == state, base
        page = requests.get(
            f"{base}/tra-cuu/", params={"ma": code, "dt": phone[-4:]}, timeout=30
        ).text
        assert code in page


def _mail_about(stack, code: str) -> list[email.message.Message]:
    found = []
    for path in Path(stack.spec["base_env"]["EMAIL_FILE_PATH"]).glob("*.log"):
        for chunk in path.read_text(errors="replace").split("-" * 79):
            if code in chunk:
                found.append(email.message_from_string(chunk.strip()))
    return found


def test_a_dossier_received_on_one_server_and_processed_on_the_other(stack):
    from motcua.dossiers.models import Dossier
    from motcua.monitoring.models import Tally

    a, b = stack.app_urls
    reception_a = session(token(a, "tiepnhan.p1"))
    reception_b = session(token(b, "tiepnhan.p1"))
    leader_b = session(token(b, "lanhdao.p1"))
    specialist_b = session(token(b, "tuphap.p1"))
    phone = _phone()

    received = intake(reception_a, a, "Nguyễn Văn Thử", phone, email="nguoinop@example.vn")
    assert received.status_code == 201, received.text
    code = received.json()["code"]
    _both_answer(stack, code, phone, "received")

    assert act(reception_b, b, code, "forward").status_code == 200
    _both_answer(stack, code, phone, "processing")
    # Each step by its own people (the specialist's, then the leader's), on the other server.
    assert act(specialist_b, b, code, "forward").status_code == 200
    assert act(leader_b, b, code, "approve").status_code == 200
    result = act(
        reception_b,
        b,
        code,
        "mark_result_ready",
        files=[("files", ("kq.pdf", PDF, "application/pdf"))],
    )
    assert result.status_code == 200, result.text
    _both_answer(stack, code, phone, "result_ready")
    assert act(reception_a, a, code, "return_result").status_code == 200
    _both_answer(stack, code, phone, "returned")

    # Files: in the bucket, byte for byte, and private (no unsigned read).
    dossier = Dossier.objects.get(code=code)
    files = list(dossier.files.all())
    assert len(files) == 2
    env = stack.spec["base_env"]
    bucket = boto3.client(
        "s3",
        endpoint_url=env["S3_ENDPOINT_URL"],
        aws_access_key_id=env["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=env["S3_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )
    for stored in files:
        body = bucket.get_object(Bucket=env["S3_BUCKET"], Key=stored.file.name)["Body"].read()
        assert hashlib.sha256(body).hexdigest() == stored.sha256
        bare = requests.get(f"{env['S3_ENDPOINT_URL']}/motcua/{stored.file.name}", timeout=10)
        assert bare.status_code == 403
    assert not Path(stack.spec["base_env"]["MOTCUA_VAR_DIR"], "media").exists() or not any(
        Path(stack.spec["base_env"]["MOTCUA_VAR_DIR"], "media").rglob("*.pdf")
    )

    # The applicant's e-mails were sent by a task worker, not by the app servers.
    mails = wait_for(lambda: len(_mail_about(stack, code)) >= 3 and _mail_about(stack, code))
    assert mails, "no notification reached the mailbox"
    assert all(m["To"] == "nguoinop@example.vn" for m in mails)

    # The indicators counted it (received today at Phường 1, and settled).
    today = timezone.localdate()
    row = Tally.objects.get(
        grain="d", day=today, agency_id=dossier.receiving_agency_id, procedure_id=0
    )
    assert row.received >= 1 and row.finished >= 1


def _burst(stack, count: int, threads: int, kill_after: int, victims: list[str]) -> dict:
    """`count` intakes through the balancer by `threads` counters; after `kill_after`
    acknowledgements the victims are SIGKILLed. A client retries what got no answer."""
    base = stack.url
    tok = token(base, "tiepnhan.p1")
    acknowledged: dict[str, str] = {}
    lock = threading.Lock()
    killed = threading.Event()
    tries = {"errors": 0}

    def one(n: int) -> None:
        s = session(tok)
        name = f"Người Nộp Thử {n:05d}"
        for _attempt in range(30):
            try:
                answer = intake(s, base, name, _phone())
            except requests.RequestException:
                answer = None
            if answer is not None and answer.status_code == 201:
                with lock:
                    acknowledged[answer.json()["code"]] = name
                    if len(acknowledged) >= kill_after and not killed.is_set():
                        killed.set()
                        for victim in victims:
                            stack[victim].kill()
                return
            with lock:
                tries["errors"] += 1
            time.sleep(0.5)
        raise AssertionError(f"{name}: no acknowledgement after 30 tries")

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(count)))
    assert killed.is_set()
    return {"acknowledged": acknowledged, "errors": tries["errors"]}


def test_a_burst_survives_a_killed_app_server_and_worker(stack):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from motcua.dossiers.models import Dossier

    failed_before = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count()
    try:
        outcome = _burst(stack, count=120, threads=6, kill_after=30, victims=["app_a", "worker_1"])
        assert not stack["app_a"].alive() and not stack["worker_1"].alive()
        codes = outcome["acknowledged"]
        assert len(codes) == 120
        found = {
            d.code: d for d in Dossier.objects.filter(code__in=codes).prefetch_related("files")
        }
        assert set(found) == set(codes)
        for code, dossier in found.items():
            assert dossier.applicant_name == codes[code]
            assert dossier.events.filter(action="receive").count() == 1
            (stored,) = dossier.files.all()
            with stored.file.open("rb") as handle:
                assert hashlib.sha256(handle.read()).hexdigest() == stored.sha256
    finally:
        stack.restart("app_a")
        stack.restart("worker_1")
    # Nothing of the follow-up work is lost: the restarted worker takes back what it held.
    done = wait_for(
        lambda: (
            not DBTaskResult.objects.filter(
                status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
            ).exists()
        ),
        timeout=120,
    )
    assert done, "tasks still waiting or running after the burst"
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == failed_before
