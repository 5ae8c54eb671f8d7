"""The server under load: motcua's production set-up (gunicorn, 2 sync workers, production
settings) with the ceiling view added, on 127.0.0.1 and a free port; and its workers' memory."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKERS = 2


# One secret for the whole run: the staff session the harness signs in must be valid for the
# server (session hashes are keyed with SECRET_KEY).
RUN_SECRET = secrets.token_urlsafe(50)

# Chosen by the harness for each process, never inherited from the caller's shell.
OWN = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "MOTCUA_ENV", "DEBUG", "STATIC_ROOT", "MEDIA_ROOT")
# The stack's services (bench/stack.py), which a shell beside it exports: the single server is
# measured with its local file cache and storage, straight on PostgreSQL.
STACK_ONLY = ("CACHE_URL", "STORAGE_BACKEND", "MOTCUA_DB_POOLER", "MOTCUA_TRUSTED_PROXIES")


def base_env() -> dict[str, str]:
    """The environment of every process the harness starts: the bench package importable,
    development settings, and no DATABASE_URL unless a backend sets one."""
    env = {k: v for k, v in os.environ.items() if k not in OWN + STACK_ONLY}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["SECRET_KEY"] = RUN_SECRET
    return env


def production_env(db_env: dict[str, str], static_root: Path) -> dict[str, str]:
    return {
        **db_env,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "MOTCUA_ENV": "production",
        "SECRET_KEY": RUN_SECRET,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SESSION_COOKIE_SECURE": "false",
        # Plain HTTP on the loopback (TLS ends at the province's edge), and the benchmark's
        # supervisor session has no second factor.
        "SECURE_SSL_REDIRECT": "false",
        "MOTCUA_REQUIRE_2FA": "none",
        # Production requires it (links in messages, QR codes on forms); nothing follows them.
        "MOTCUA_PUBLIC_URL": "http://127.0.0.1",
        "STATIC_ROOT": str(static_root),
        "DEBUG": "false",
    }


def collectstatic(env: dict[str, str]) -> None:
    """Production's manifest storage needs collected files: `{% static %}` fails without them."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def busy_cpus(seconds: float = 0.5) -> float:
    """How many CPUs are busy while the harness and its server are idle, i.e. with other
    work: it takes CPU from the server and wrk, and makes the figures low."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle and iowait
        return sum(fields) - idle, sum(fields)

    busy0, total0 = sample()
    time.sleep(seconds)
    busy1, total1 = sample()
    return round((busy1 - busy0) / max(total1 - total0, 1) * (os.cpu_count() or 1), 2)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn running motcua (with bench.settings); its output goes to `log`."""

    def __init__(self, env: dict[str, str], log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        bind = f"127.0.0.1:{self.port}"
        command = [str(BIN / "gunicorn"), "motcua.wsgi", "-k", "sync", "-w", str(WORKERS)]
        # No control socket: its default path is shared with any other gunicorn of this user.
        command += ["-b", bind, "--no-control-socket"]
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start; see {self.log}")
            try:
                with urllib.request.urlopen(self.url + "/bench/ceiling/", timeout=5) as r:
                    # Both workers forked; the warm-up run before each benchmark does the rest.
                    if r.status == 200 and len(self.worker_pids()) == WORKERS:
                        return
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout}s; see {self.log}")

    def worker_pids(self) -> list[int]:
        return children(self.process.pid)

    def worker_rss_mb(self) -> list[float]:
        return rss_mb(self.worker_pids())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`: a gunicorn master's workers."""
    master = str(pid)
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields follow the last ")".
        if stat.rsplit(")", 1)[1].split()[1] == master:
            pids.append(int(entry.name))
    return sorted(pids)


def rss_mb(pids: list[int]) -> list[float]:
    """The resident memory (VmRSS) of each process, in MB."""
    sizes = []
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(round(int(line.split()[1]) / 1024, 1))
    return sizes


def run_inside(script: str, env: dict[str, str], *args: str) -> dict:
    """Run `script --inside ARGS` (a bench script's own code inside Django) in `env`, and
    return what it printed last, as JSON."""
    out = subprocess.run(
        [sys.executable, script, "--inside", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])
