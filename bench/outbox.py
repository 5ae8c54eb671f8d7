"""`make bench`, the outbox (issue 16): how fast queued messages go out through the local
adapter, and what queueing costs a reception.

- **send**: 10,000 queued SMS (the local adapter records them; a provider's own latency is
  not ours to measure) drained by two sweepers in parallel (`manage.py send_outbox`, one per
  core): messages per second, against the target of 500.
- **intake**: receptions as `make bench` posts them (API, token, a phone number), through
  Django in this process, with notifications on (each queues its SMS and its task in the
  same transaction) and off: the ratio, against 0.95.

    python bench/outbox.py [--backend sqlite|postgresql|both] [--messages N]

PostgreSQL runs beside a throw-away server of scripts/with-postgres, as CI does.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import server  # noqa: E402
SEND_TARGET = 500.0
INTAKE_TARGET = 0.95
RECEPTIONS = 300


def _env(database_url: str, var: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "STORAGE_BACKEND")}
    env.update(
        DATABASE_URL=database_url,
        MOTCUA_VAR_DIR=str(var),
        DJANGO_SETTINGS_MODULE="motcua.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), str(ROOT / "src")])),
        MOTCUA_SMS_GATEWAY="local",
    )
    return env


def _manage(env, *args) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def _inside(env, *args) -> dict:
    return server.run_inside(__file__, env, *args)


def measure(backend: str, database_url: str, messages: int) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"motcua-outbox-{backend}-") as var:
        env = _env(database_url, Path(var))
        _manage(env, "migrate", "--noinput", "-v", "0")
        _manage(env, "load_demo_province")
        _inside(env, "queue", str(messages))
        start = time.perf_counter()
        sweepers = [
            subprocess.Popen(
                [sys.executable, "manage.py", "send_outbox", "--batch", "500"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        sent = sum(int(p.communicate()[0].strip().splitlines()[-1]) for p in sweepers)
        seconds = time.perf_counter() - start
        left = _inside(env, "left")["queued"]
        intake = {flag: _inside(env, "intake", flag) for flag in ("on", "off", "on")}
    on = max(intake["on"]["per_second"], 0.0)
    return {
        "backend": backend,
        "messages": messages,
        "sent": sent,
        "left_queued": left,
        "seconds": round(seconds, 2),
        "per_second": round(sent / seconds, 1),
        "send_target": SEND_TARGET,
        "intake_on_per_second": on,
        "intake_off_per_second": intake["off"]["per_second"],
        "intake_ratio": round(on / intake["off"]["per_second"], 3),
        "intake_target": INTAKE_TARGET,
    }


# --- inside Django ------------------------------------------------------------------------


def _queue(count: int) -> dict:
    from motcua.notify.models import Channel, Event, Message

    rows = [
        Message(
            channel=Channel.SMS,
            recipient=f"09{n % 100_000_000:08d}",
            event=Event.RECEIVED,
            text=f"Ho so 000.01.30.H39-261204-{n:04d} da duoc tiep nhan.",
        )
        for n in range(count)
    ]
    Message.objects.bulk_create(rows, batch_size=2000)
    return {"queued": count}


def _left() -> dict:
    from motcua.notify.models import Message

    return {"queued": Message.objects.exclude(status=Message.Status.SENT).count()}


def _intake(flag: str) -> dict:
    """Receptions as `make bench`'s intake posts them (the API, a token, a phone number, so
    one SMS each), through Django's whole stack in this process: no server, no network,
    so that what is compared is the cost of queueing alone."""
    from django.conf import settings
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from motcua.org.models import User

    settings.MOTCUA = {**settings.MOTCUA, "NOTIFY_ENABLED": flag == "on"}
    settings.ALLOWED_HOSTS = ["*"]
    officer = User.objects.get(username="tiepnhan.p1")
    token = Token.objects.get_or_create(user=officer)[0].key
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    body = {"procedure": "1.001193", "applicant": {"name": "Nguyễn Văn A", "phone": "0912345678"}}

    def receive():
        answer = client.post("/api/v1/dossiers/", body, content_type="application/json")
        if answer.status_code != 201:
            raise RuntimeError(f"intake answered {answer.status_code}: {answer.content[:300]}")

    for _ in range(20):  # warm-up: caches, statements
        receive()
    start = time.perf_counter()
    for _ in range(RECEPTIONS):
        receive()
    return {"per_second": round(RECEPTIONS / (time.perf_counter() - start), 1)}


def inside(command: str, args: list[str]) -> None:
    import django

    django.setup()
    if command == "queue":
        answer = _queue(int(args[0]))
    elif command == "left":
        answer = _left()
    else:
        answer = _intake(args[0])
    print(json.dumps(answer))


# --- the harness ----------------------------------------------------------------------------


def table(results: list[dict]) -> str:
    lines = [
        "Outbox: queued SMS through the local adapter, 2 sweepers; intake via the API in-process",
        f"{'backend':<11}{'sent':>7}{'seconds':>9}{'msg/s':>9}{'target':>8}"
        f"{'intake on/s':>13}{'off/s':>8}{'ratio':>7}{'target':>8}",
    ]
    for r in results:
        lines.append(
            f"{r['backend']:<11}{r['sent']:>7}{r['seconds']:>9}{r['per_second']:>9}"
            f"{'ok' if r['per_second'] >= SEND_TARGET else 'LOW':>8}"
            f"{r['intake_on_per_second']:>13}{r['intake_off_per_second']:>8}"
            f"{r['intake_ratio']:>7}{'ok' if r['intake_ratio'] >= INTAKE_TARGET else 'LOW':>8}"
        )
    return "\n".join(lines)


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--inside":
        inside(sys.argv[2], sys.argv[3:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", default="both", choices=["sqlite", "postgresql", "both"])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = []
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="motcua-outbox-db-") as folder:
            results.append(measure("sqlite", f"sqlite:///{folder}/outbox.sqlite3", args.messages))
    if args.backend in ("postgresql", "both"):
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")):
            results.append(measure("postgresql", url, args.messages))
        else:
            out = Path(tempfile.mkstemp(suffix=".json")[1])
            subprocess.run(
                ["bash", "scripts/with-postgres", sys.executable, __file__]
                + ["--backend", "postgresql", "--messages", str(args.messages), "--json", str(out)],
                cwd=ROOT,
                check=True,
            )
            results += json.loads(out.read_text())
            out.unlink()
    if args.json:
        args.json.write_text(json.dumps(results))
    else:
        print(table(results), flush=True)
        path = ROOT / "bench" / "results" / f"{time.strftime('%Y-%m-%d')}-outbox.json"
        path.write_text(json.dumps({"runs": results}, indent=2) + "\n")
        print(f"Results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
