"""Load from wrk: each benchmark is a check that its first request gets the expected answer,
a warm-up run that is not recorded, then the timed run, whose figures the Lua done() hook
prints as JSON. Errors of any kind make the figures invalid; the server's log says why."""

import json
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .server import busy_cpus

THREADS = 2
CONNECTIONS = 16
WARMUP_SECONDS = 2
LUA = Path(__file__).resolve().parent / "wrk" / "motcua.lua"
INTAKE_BODY = '{"procedure": "%s", "applicant": {"name": "Nguyễn Văn A", "phone": "0912345678"}}'


@dataclass
class Benchmark:
    name: str
    kind: str = "paths"  # or lookup-page, lookup-api, intake (see bench/wrk/motcua.lua)
    arg: str = ""  # the file of paths or lookups, or the procedure code for intake
    token: str = ""
    expect: int = 200
    unit: str = "req/s"
    skip: str = ""  # why it is not run, for a slot whose feature has not landed
    prime: bool = False  # request every path once before the warm-up (a warm page cache)


def lookup_path(kind: str, line: str) -> tuple[str, str]:
    """The path of one "CODE PHONE4" line of a lookup file, and the code its answer holds."""
    code, phone = line.split()
    quoted = urllib.parse.quote(code, safe="")
    if kind == "lookup-page":
        return f"/tra-cuu/?ma={quoted}&dt={phone}", code
    return f"/api/v1/lookup/{quoted}?phone={phone}", code


def prime(url: str, bench: Benchmark) -> int:
    """Ask for every path of the benchmark once, four at a time, as visitors before the run
    would have: what a warm cache serves is then measured, not how it fills."""
    lines = Path(bench.arg).read_text(encoding="utf-8").splitlines()
    paths = [lookup_path(bench.kind, line)[0] if bench.kind != "paths" else line for line in lines]

    def get(path: str) -> None:
        with _OPENER.open(url + path, timeout=60) as response:
            response.read()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(get, paths))
    return len(paths)


def _first_requests(url: str, bench: Benchmark) -> list[tuple[urllib.request.Request, str]]:
    """The requests the probe sends, each with a text its answer must hold: the first ten
    paths of a list, the first line of a lookup file."""
    headers = {}
    if "=" in bench.token:
        headers["Cookie"] = bench.token  # a signed-in staff session
    elif bench.token:
        headers["Authorization"] = f"Token {bench.token}"
    if bench.kind == "intake":
        headers["Content-Type"] = "application/json"
        body = (INTAKE_BODY % bench.arg).encode()
        request = urllib.request.Request(url + "/api/v1/dossiers/", body, headers, method="POST")
        return [(request, "")]
    lines = Path(bench.arg).read_text(encoding="utf-8").splitlines()
    if bench.kind == "paths":
        return [(urllib.request.Request(url + p, headers=headers), "") for p in lines[:10]]
    # A lookup page that answers 200 "not found" would be measured as a success: the first
    # code must come back in the answer.
    path, code = lookup_path(bench.kind, lines[0])
    return [(urllib.request.Request(url + path, headers=headers), code)]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect (to the sign-in page, say) is an answer to report, not to follow."""

    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def probe(url: str, bench: Benchmark) -> dict:
    """What the first request answers: its size, its `count` when it is a list of the API,
    and `problem` when it is not the expected answer."""
    for request, must_hold in _first_requests(url, bench):
        try:
            with _OPENER.open(request, timeout=60) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read()
        if status != bench.expect or must_hold.encode() not in body:
            text = body[:300].decode("utf-8", "replace").replace("\n", " ")
            missing = f" (no {must_hold!r} in the answer)" if status == bench.expect else ""
            problem = (
                f"{request.get_method()} {request.selector} -> {status}{missing}: {text[:200]}"
            )
            return {"problem": problem}
    answer = {"bytes": len(body)}
    if body.startswith(b'{"count":'):
        # A list of the API: how many rows the filter found (the page holds at most 50).
        answer["count"] = json.loads(body)["count"]
    return answer


def drain(url: str) -> None:
    """Wait until the server has answered what an earlier run left queued.

    wrk stops on time and drops its connections, but requests already accepted are still
    served; slow ones (a PDF) would eat into the next timed run. Connections wait in the
    kernel's accept queue in order, so a few cheap requests coming back mean it is empty.
    """
    for _ in range(4):
        with urllib.request.urlopen(url + "/bench/ceiling/", timeout=120) as response:
            response.read()


def run_wrk(url: str, bench: Benchmark, seconds: int) -> dict:
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(LUA),
        url,
        "--",
        bench.kind,
        bench.arg,
        bench.token,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    for line in done.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            return json.loads(line.removeprefix("WRK_JSON "))
    raise RuntimeError(f"wrk gave no figures (exit {done.returncode}): {done.stderr[-500:]}")


def _log_since(log: Path, offset: int) -> list[str]:
    with log.open("rb") as handle:
        handle.seek(offset)
        text = handle.read(2_000_000).decode("utf-8", "replace")
    distinct = []
    for line in text.splitlines():
        if line.strip() and line not in distinct:
            distinct.append(line)
    return distinct[:8]


def measure(url: str, bench: Benchmark, duration: int, log: Path) -> dict:
    """The figures of one benchmark (times in ms), or why there are none."""
    result = {"name": bench.name, "unit": bench.unit}
    if bench.skip:
        return {**result, "skipped": bench.skip}
    answer = probe(url, bench)
    if "problem" in answer:
        return {**result, "invalid": f"unexpected answer: {answer['problem']}"}
    result["answer"] = answer
    if bench.prime:
        result["primed"] = prime(url, bench)
    drain(url)
    run_wrk(url, bench, WARMUP_SECONDS)
    drain(url)
    result["busy_cpus_before"] = busy_cpus()
    offset = log.stat().st_size
    figures = run_wrk(url, bench, duration)
    seconds = figures["duration_us"] / 1e6
    errors = sum(figures[k] for k in figures if k.endswith("_errors") or k == "timeouts")
    result.update(
        rps=round(figures["requests"] / seconds, 1),
        # Requests answered with 2xx/3xx per second: for intake, dossiers received per second.
        ok_rps=round((figures["requests"] - figures["status_errors"]) / seconds, 1),
        p50_ms=round(figures["p50_us"] / 1000, 2),
        p90_ms=round(figures["p90_us"] / 1000, 2),
        p99_ms=round(figures["p99_us"] / 1000, 2),
        max_ms=round(figures["max_us"] / 1000, 2),
        requests=figures["requests"],
        errors=errors,
        wrk=figures,
    )
    if errors:
        result["invalid"] = f"{errors} errors under load"
        result["server_log"] = _log_since(log, offset)
    elif not figures["requests"]:
        # Every request outlived the run: that is no figure at all, not a fast one.
        result["invalid"] = "no request finished within the run"
        result["server_log"] = _log_since(log, offset)
    return result
