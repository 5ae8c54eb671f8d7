"""Figures to read: each benchmark against the ceiling and across sizes, checked against the
targets of bench/README.md, printed as a table and written to bench/results/."""

import json
import os
import platform
from datetime import date
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
CEILING = "ceiling"
MAX_RSS_MB = 150
BUSY = 0.3  # CPUs kept busy by other work, measured before a run, past which it is suspect
# name: (least fraction of the ceiling, least ok requests/s, most p50 growth smallest→largest N)
TARGETS = {
    "lookup page (HTML)": (0.7, None, 1.2),
    "lookup API": (0.7, None, 1.2),
    "catalog search": (0.5, None, None),
    "counter intake (API)": (None, 100, None),
    "staff queue (API list) processing+late": (None, None, 1.2),
    "staff queue (API list) received": (None, None, 1.2),
    "staff queue page (HTML)": (None, None, 1.2),
    "lookup page, first views": (None, None, 1.2),
    "lookup API, first views": (None, None, 1.2),
    # The monitoring issue: ten million dossiers no more than twice the time of 100,000.
    "dashboard (province, this month)": (None, None, 2.0),
}


def _measured(row: dict) -> bool:
    return "rps" in row and "invalid" not in row


def analyse(runs: list[dict]) -> None:
    """Adds to each row its ratio to the ceiling, its p50 growth from the smallest size (on
    every larger size's rows) and what its targets say."""
    smallest = {r["name"]: r for r in runs[0]["benchmarks"]} if runs else {}
    for run in runs:
        ceiling = next((r for r in run["benchmarks"] if r["name"] == CEILING), {})
        for row in run["benchmarks"]:
            if _measured(row) and _measured(ceiling):
                row["x_ceiling"] = round(row["ok_rps"] / ceiling["ok_rps"], 3)
            first = smallest.get(row["name"], {})
            if run is not runs[0] and _measured(row) and _measured(first):
                row["p50_growth"] = round(row["p50_ms"] / first["p50_ms"], 2)
            row["target"] = _verdict(row)
        _notify_ratio(run["benchmarks"])


NOTIFY_TARGET = 0.95  # issue 16: intake with notifications on ≥ 0.95 × without


def _notify_ratio(rows: list[dict]) -> None:
    """Intake with notifications on against the same server queueing none (bench/run.py)."""
    on = next((r for r in rows if r["name"] == "counter intake (API)"), None)
    off = next((r for r in rows if r["name"].endswith("notifications off")), None)
    if on and off and _measured(on) and _measured(off):
        ratio = round(on["ok_rps"] / off["ok_rps"], 3)
        off["x_notifications_on"] = ratio
        off["target"] = (
            f"on/off {ratio}: ok" if ratio >= NOTIFY_TARGET else f"MISS on/off {ratio} <0.95"
        )


def _verdict(row: dict) -> str:
    if row["name"] not in TARGETS or not _measured(row):
        return ""
    least_ceiling, least_rps, most_growth = TARGETS[row["name"]]
    misses = []
    if least_ceiling is not None and row.get("x_ceiling", 0) < least_ceiling:
        misses.append(f"<{least_ceiling}x ceiling")
    if least_rps is not None and row["ok_rps"] < least_rps:
        misses.append(f"<{least_rps}/s")
    if most_growth is not None and row.get("p50_growth", 0) > most_growth:
        misses.append(f"p50 grows >{most_growth}x")
    return "MISS " + ", ".join(misses) if misses else "ok"


def _cell(value, digits=1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _last_column(row: dict) -> str:
    text = "INVALID" if "invalid" in row else row["target"]
    if row.get("busy_cpus_before", 0) > BUSY:
        text += f" (machine busy: {row['busy_cpus_before']} CPUs)"
    return text.strip()


def table(backend: str, runs: list[dict]) -> str:
    head = ("N", "benchmark", "req/s", "p50 ms", "p99 ms", "x ceil", "errors", "p50 growth", "")
    rows = [head]
    for run in runs:
        for r in run["benchmarks"]:
            label = r["name"] + (" [dossiers/s]" if r["unit"] != "req/s" else "")
            if "rps" not in r:
                note = r.get("skipped") or r.get("invalid", "")
                rows.append(
                    (
                        str(run["size"]),
                        label,
                        "skipped" if "skipped" in r else "INVALID",
                        "",
                        "",
                        "",
                        "",
                        "",
                        note[:70],
                    )
                )
                continue
            rate = r["ok_rps"] if r["unit"] != "req/s" else r["rps"]
            rows.append((
                str(run["size"]), label, _cell(rate), _cell(r["p50_ms"], 2),
                _cell(r["p99_ms"], 2), _cell(r.get("x_ceiling"), 2), str(r["errors"]),
                _cell(r.get("p50_growth"), 2), _last_column(r),
            ))  # fmt: skip
        rss = run.get("worker_rss_mb") or []
        verdict = "ok" if rss and max(rss) < MAX_RSS_MB else f"MISS >={MAX_RSS_MB} MB"
        rows.append((str(run["size"]), "worker RSS MB (each)", " ".join(map(str, rss)),
                     "", "", "", "", "", verdict))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = [f"=== motcua bench: {backend} ==="]
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


# Runs at other sizes than the default get their own files (a ten-million run on the same day
# must not replace the default run's figures and plans).
SUFFIX = ""


def set_sizes(sizes: list[int]) -> None:
    global SUFFIX
    default = [10_000, 1_000_000]
    SUFFIX = "" if sorted(sizes) == default else "-" + "-".join(str(n) for n in sorted(sizes))


def write(backend: str, runs: list[dict], meta: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{date.today().isoformat()}-{backend}{SUFFIX}.json"
    document = {
        "date": date.today().isoformat(),
        "backend": backend,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        **meta,
        "runs": runs,
    }
    out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def explain_path() -> Path:
    return RESULTS / f"{date.today().isoformat()}-postgresql{SUFFIX}-explain.txt"


def invalid(runs: list[dict]) -> list[str]:
    return [
        f"{run['size']} {r['name']}: {r['invalid']}"
        for run in runs
        for r in run["benchmarks"]
        if "invalid" in r
    ]
