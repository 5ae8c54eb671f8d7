"""The scaled-out topology on one machine, for the end-to-end tests, the drills and the bench.

PostgreSQL with PgBouncer (transaction mode) in front, Redis (the shared cache), an
S3-compatible object store (moto's server), two gunicorn app servers behind nginx, and two
task workers — every one bound to 127.0.0.1 on a free port, in a throw-away folder.

    python -m bench.stack -- CMD…      start, run CMD with the stack's environment, stop
                                       (what `scripts/with-stack` calls)

CMD sees STACK_STATE (a JSON file naming each service's command, environment and process), so
a test can kill a service with SIGKILL and start it again (`Stack.attach()`), STACK_URL (the
balancer), STACK_APP_URLS (the two app servers, for talking to one of them directly), and the
app servers' own settings (DATABASE_URL pointing straight at PostgreSQL, CACHE_URL, the S3
variables), so that it can read what the servers wrote.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
APP_WORKERS = int(os.environ.get("STACK_APP_WORKERS", "2"))
S3_KEY, S3_SECRET, S3_BUCKET = "motcua-stack", "motcua-stack-secret", "motcua"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)
    if not versions:
        raise SystemExit("PostgreSQL binaries not found; run scripts/system-deps ci")
    return versions[-1]


def _binary(name: str, *extra: str) -> str:
    for candidate in (shutil.which(name), *extra):
        if candidate and Path(candidate).exists():
            return candidate
    raise SystemExit(f"{name} not found; run scripts/system-deps ci")


def _as_service_user() -> list[str]:
    # PostgreSQL and PgBouncer refuse to run as root.
    if os.geteuid() != 0:
        return []
    user = "postgres"
    try:
        subprocess.run(["id", user], check=True, capture_output=True)
    except subprocess.CalledProcessError:
        user = "nobody"
    return ["runuser", "-u", user, "--"]


def _wait_port(port: int, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what or port} did not listen on 127.0.0.1:{port} within {timeout}s")


def _wait_http(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=3) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 within {timeout}s")


class Service:
    """One process of the stack (with its children): started in its own session, so that a
    kill reaches the whole group, as a crash of the machine's process would."""

    def __init__(self, stack: "Stack", name: str, spec: dict):
        self.stack, self.name, self.spec = stack, name, spec

    @property
    def log(self) -> Path:
        return self.stack.dir / "logs" / f"{self.name}.log"

    def start(self) -> None:
        env = {**os.environ, **self.stack.spec.get("base_env", {}), **self.spec.get("env", {})}
        # What a killed server leaves behind (PostgreSQL's pid and socket lock files) would
        # make the new one refuse to start if its pid had been reused meanwhile.
        for pattern in self.spec.get("stale", ()):
            for stale in Path(pattern).parent.glob(Path(pattern).name):
                stale.unlink(missing_ok=True)
        metrics = env.get("PROMETHEUS_MULTIPROC_DIR")
        if metrics:  # a (re)started server counts from zero, as its service unit would
            for stale in Path(metrics).glob("*.db"):
                stale.unlink()
        with self.log.open("ab") as out:
            process = subprocess.Popen(
                self.spec["cmd"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.spec["pgid"] = process.pid
        self.stack.save()
        self.wait_ready()

    def wait_ready(self) -> None:
        ready = self.spec.get("ready")
        try:
            if ready and ready.startswith("http"):
                _wait_http(ready)
            elif ready:
                _wait_port(int(ready), what=self.name)
        except RuntimeError as exc:
            tail = self.log.read_text(errors="replace").splitlines()[-10:]
            raise RuntimeError(f"{exc}; the end of {self.log.name}:\n" + "\n".join(tail)) from None

    def alive(self) -> bool:
        pgid = self.spec.get("pgid")
        if not pgid:
            return False
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        # A group whose members are all zombies is dead.
        return any(_group_of(pid) == pgid and not _zombie(pid) for pid in _pids())

    def kill(self, sig: int = signal.SIGKILL) -> None:
        pgid = self.spec.get("pgid")
        if not pgid:
            return
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 30
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if sig != signal.SIGKILL and self.alive():
            self.kill(signal.SIGKILL)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)


def _pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def _stat(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def _group_of(pid: int) -> int | None:
    fields = _stat(pid)
    return int(fields[2]) if len(fields) > 2 else None


def _zombie(pid: int) -> bool:
    fields = _stat(pid)
    return not fields or fields[0] == "Z"


class Stack:
    ORDER = ("postgres", "pgbouncer", "redis", "s3", "app_a", "app_b", "worker_1", "worker_2")

    def __init__(self, folder: Path, spec: dict):
        self.dir, self.spec = folder, spec
        self.services = {name: Service(self, name, s) for name, s in spec["services"].items()}

    # --- the state file other processes attach to ----------------------------------------

    @property
    def state_file(self) -> Path:
        return self.dir / "stack.json"

    def save(self) -> None:
        self.state_file.write_text(json.dumps(self.spec, indent=1))

    @classmethod
    def attach(cls, state_file: str | None = None) -> "Stack":
        path = Path(state_file or os.environ["STACK_STATE"])
        return cls(path.parent, json.loads(path.read_text()))

    def __getitem__(self, name: str) -> Service:
        return self.services[name]

    @property
    def url(self) -> str:
        return self.spec["url"]

    @property
    def app_urls(self) -> list[str]:
        return self.spec["app_urls"]

    def environment(self) -> dict[str, str]:
        """What a command run beside the stack needs to read what the servers wrote."""
        return {
            **self.spec["base_env"],
            "DATABASE_URL": self.spec["direct_database_url"],
            "STACK_STATE": str(self.state_file),
            "STACK_URL": self.url,
            "STACK_APP_URLS": " ".join(self.app_urls),
        }

    # --- building it ---------------------------------------------------------------------

    @classmethod
    def create(cls, app_workers: int | None = None) -> "Stack":
        """A new stack, not started; `app_workers` gunicorn workers per app server (default
        $STACK_APP_WORKERS or 2)."""
        workers = app_workers or APP_WORKERS
        folder = Path(tempfile.mkdtemp(prefix="motcua-stack."))
        folder.chmod(0o755)
        for sub in ("logs", "mail", "var", "static", "nginx", "metrics"):
            (folder / sub).mkdir()
        ports = {name: free_port() for name in ("pg", "pgb", "redis", "s3", "a", "b", "nginx")}
        pg = _pg_bin()
        runas = _as_service_user()
        data, sockets = folder / "pg", folder / "run"
        data.mkdir()
        sockets.mkdir()
        if runas:
            for owned in (data, sockets):
                shutil.chown(owned, user=runas[2])
            (folder / "logs").chmod(0o777)
        subprocess.run(
            [*runas, str(pg / "initdb"), "-D", str(data), "-U", "motcua", "--auth=trust"]
            + ["-E", "UTF8", "--locale=C.UTF-8"],
            check=True,
            capture_output=True,
        )
        direct = f"postgres://motcua@127.0.0.1:{ports['pg']}/postgres"
        pooled = f"postgres://motcua@127.0.0.1:{ports['pgb']}/postgres"
        (folder / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"postgres = host=127.0.0.1 port={ports['pg']} dbname=postgres user=motcua\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {ports['pgb']}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {folder / 'userlist.txt'}\n"
            "pool_mode = transaction\nmax_client_conn = 500\ndefault_pool_size = 20\n"
            "server_reset_query =\nignore_startup_parameters = extra_float_digits,options\n"
            f"pidfile = {folder / 'run' / 'pgbouncer.pid'}\n"
        )
        (folder / "userlist.txt").write_text('"motcua" ""\n')
        nginx_conf = folder / "nginx.conf"
        nginx_conf.write_text(_nginx_conf(folder, ports))
        base_env = {
            "MOTCUA_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # TLS ends at the province's edge; on the loopback the stack speaks plain HTTP.
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "MOTCUA_REQUIRE_2FA": os.environ.get("STACK_REQUIRE_2FA", "none"),
            "MOTCUA_TRUSTED_PROXIES": "1",
            "DATABASE_URL": pooled,
            "MOTCUA_DB_POOLER": "pgbouncer",
            "CACHE_URL": f"redis://127.0.0.1:{ports['redis']}/0",
            "STORAGE_BACKEND": "s3",
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{ports['s3']}",
            "S3_BUCKET": S3_BUCKET,
            "S3_ACCESS_KEY_ID": S3_KEY,
            "S3_SECRET_ACCESS_KEY": S3_SECRET,
            "STATIC_ROOT": str(folder / "static"),
            "MOTCUA_VAR_DIR": str(folder / "var"),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(folder / "mail"),
            "MOTCUA_PUBLIC_URL": f"http://127.0.0.1:{ports['nginx']}",
            "MOTCUA_METRICS_ALLOWED": "127.0.0.1,::1",
            "LOG_FORMAT": "json",
            # Every client of the tests and the bench comes from 127.0.0.1: the token
            # exchange's per-address throttle (10 a minute) would refuse the later ones.
            "MOTCUA_TOKEN_RATE": "600/min",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        manage = [sys.executable, str(ROOT / "manage.py")]

        def app(port: int, name: str) -> dict:
            metrics = folder / "metrics" / name
            metrics.mkdir()
            return {
                "cmd": [str(BIN / "gunicorn"), "motcua.wsgi", "-k", "sync", "-w", str(workers)]
                + ["-c", "python:motcua.ops.gunicorn_conf", "-b", f"127.0.0.1:{port}"]
                + ["--no-control-socket", "--graceful-timeout", "5"],
                "env": {"PROMETHEUS_MULTIPROC_DIR": str(metrics), "MOTCUA_SERVER_NAME": name},
                "ready": f"http://127.0.0.1:{port}/healthz",
            }

        services = {
            "postgres": {
                "cmd": [*runas, str(pg / "postgres"), "-D", str(data), "-h", "127.0.0.1"]
                + ["-p", str(ports["pg"]), "-k", str(sockets), "-c", "max_connections=200"]
                # The kernel keeps what a killed server wrote: no fsync needed for the drills,
                # but synchronous commits, so that an acknowledged write is in the WAL.
                + ["-c", "fsync=off", "-c", "full_page_writes=off"],
                "ready": str(ports["pg"]),
                "stale": [str(data / "postmaster.pid"), str(sockets / ".s.PGSQL.*.lock")],
            },
            "pgbouncer": {
                "cmd": [
                    *runas,
                    _binary("pgbouncer", "/usr/sbin/pgbouncer"),
                    str(folder / "pgbouncer.ini"),
                ],
                "ready": str(ports["pgb"]),
            },
            "redis": {
                "cmd": [_binary("redis-server", "/usr/bin/redis-server"), "--bind", "127.0.0.1"]
                + ["--port", str(ports["redis"]), "--save", "", "--appendonly", "no"]
                + ["--dir", str(folder)],
                "ready": str(ports["redis"]),
            },
            "s3": {
                "cmd": [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(ports["s3"])],
                "ready": str(ports["s3"]),
            },
            "app_a": app(ports["a"], "app_a"),
            "app_b": app(ports["b"], "app_b"),
            "worker_1": {"cmd": [*manage, "task_worker", "--worker-id", "worker-1"]},
            "worker_2": {"cmd": [*manage, "task_worker", "--worker-id", "worker-2"]},
            "nginx": {
                "cmd": [_binary("nginx", "/usr/sbin/nginx"), "-c", str(nginx_conf)]
                + ["-p", str(folder / "nginx"), "-e", str(folder / "logs" / "nginx-error.log")],
                "ready": str(ports["nginx"]),
            },
        }
        spec = {
            "services": services,
            "base_env": base_env,
            "url": f"http://127.0.0.1:{ports['nginx']}",
            "app_urls": [f"http://127.0.0.1:{ports['a']}", f"http://127.0.0.1:{ports['b']}"],
            "direct_database_url": direct,
        }
        stack = cls(folder, spec)
        stack.save()
        return stack

    def start(self) -> None:
        for name in ("postgres", "pgbouncer", "redis", "s3"):
            self[name].start()
        self._prepare()
        for name in ("app_a", "app_b", "worker_1", "worker_2", "nginx"):
            self[name].start()

    def _prepare(self) -> None:
        """Schema, the demo province, static files and the bucket, before any server starts."""
        env = {**os.environ, **self.spec["base_env"]}
        direct = {**env, "DATABASE_URL": self.spec["direct_database_url"]}
        manage = [sys.executable, str(ROOT / "manage.py")]
        for args, e in (
            (["migrate", "--noinput", "-v", "0"], direct),
            (["load_demo_province"], direct),
            (["collectstatic", "--noinput", "-v", "0"], env),
        ):
            subprocess.run([*manage, *args], cwd=ROOT, env=e, check=True, capture_output=True)
        import boto3

        boto3.client(
            "s3",
            endpoint_url=self.spec["base_env"]["S3_ENDPOINT_URL"],
            aws_access_key_id=S3_KEY,
            aws_secret_access_key=S3_SECRET,
            region_name="us-east-1",
        ).create_bucket(Bucket=S3_BUCKET)

    def restart(self, name: str) -> None:
        """Start a killed service again (PostgreSQL recovers from its WAL)."""
        service = self[name]
        if service.alive():
            service.kill()
        service.start()

    def set_app_workers(self, workers: int) -> None:
        """Restart both app servers, gracefully, with `workers` gunicorn workers each (the
        bench compares worker counts on the same data)."""
        for name in ("app_a", "app_b"):
            command = self.spec["services"][name]["cmd"]
            command[command.index("-w") + 1] = str(workers)
            self[name].stop()
            self[name].start()

    def stop(self, remove: bool = True) -> None:
        # A service another process restarted (a drill kills and starts them again) saved its
        # new process group in the state file: stop that one, not the one started here.
        try:
            self.spec = json.loads(self.state_file.read_text())
            self.services = {n: Service(self, n, s) for n, s in self.spec["services"].items()}
        except (OSError, ValueError, KeyError):
            pass
        for name in ("nginx", "app_a", "app_b", "worker_1", "worker_2", *self.ORDER[:4][::-1]):
            try:
                self[name].stop()
            except Exception as exc:  # keep stopping the others
                print(f"stack: stopping {name}: {exc}", file=sys.stderr)
        if remove and not os.environ.get("STACK_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            print(f"stack: kept {self.dir}", file=sys.stderr)


def _nginx_conf(folder: Path, ports: dict) -> str:
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "".join(
        f"  {kind}_temp_path {folder / 'nginx' / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}daemon off;
worker_processes 2;
pid {folder / "nginx" / "nginx.pid"};
error_log {folder / "logs" / "nginx-error.log"} warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
{temp}  client_max_body_size 25m;
  upstream motcua {{
    server 127.0.0.1:{ports["a"]} max_fails=1 fail_timeout=3s;
    server 127.0.0.1:{ports["b"]} max_fails=1 fail_timeout=3s;
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{ports["nginx"]};
    location / {{
      proxy_pass http://motcua;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Request-ID $request_id;
      # A server that refuses the connection is skipped; a request it had already taken is
      # not sent again (it may have been written), the client decides.
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
      proxy_read_timeout 120s;
    }}
  }}
}}
"""


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        print("usage: python -m bench.stack -- CMD…", file=sys.stderr)
        return 2
    # A TERM (CI's time-out, Ctrl-C's cousin) still stops every service and removes its files:
    # they run in sessions of their own and would otherwise outlive this process.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    stack = Stack.create()
    code = 1
    try:
        stack.start()
        print(f"stack: balancer {stack.url}, app servers {' '.join(stack.app_urls)}", flush=True)
        code = subprocess.run(argv, env={**os.environ, **stack.environment()}).returncode
    except Exception as exc:
        print(f"stack: {exc}; logs in {stack.dir / 'logs'}", file=sys.stderr)
        os.environ["STACK_KEEP"] = "1"
        for log in sorted((stack.dir / "logs").glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-15:]
            print(f"--- {log.name}\n" + "\n".join(tail), file=sys.stderr)
    finally:
        stack.stop()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
