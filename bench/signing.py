"""`make bench`, digital signatures (issue 17): how fast motcua signs results, and what checking
a signed upload costs.

- **sign**: PAdES B-T signatures (a timestamp from the local timestamper, the visible stamp
  with the agency's seal image) with a PKCS#12 key on a 2-page result, by two processes side
  by side (one per core): signatures per second, against the target of 20.
- **validate**: `validate_pdf` of a signed upload (B-LT: the DSS read, the chain and the CRLs
  checked offline), median of the runs, in milliseconds; and of a B-T one.

    python bench/signing.py [--seconds 10] [--processes 2] [--json FILE]

Everything runs in a temporary folder (its own PKI); no database, no network.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import server  # noqa: E402
SIGN_TARGET = 20.0
PASSPHRASE_ENV = "MOTCUA_BENCH_P12_PASSPHRASE"


def _env(var: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_SIGNING_")}
    env.update(
        MOTCUA_VAR_DIR=str(var),
        MOTCUA_SIGNING_DEV_PKI_DIR=str(var / "pki"),
        MOTCUA_SIGNING_KEY_DIR=str(var / "pki"),
        DJANGO_SETTINGS_MODULE="motcua.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), str(ROOT / "src")])),
    )
    return env


def _inside(env, *args) -> dict:
    return server.run_inside(__file__, env, *args)


def measure(seconds: float, processes: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="motcua-signing-") as folder:
        var = Path(folder)
        env = _env(var)
        setup = _inside(env, "setup")
        env[PASSPHRASE_ENV] = setup["passphrase"]
        start_at = time.time() + 8  # every worker set up and warmed before the clock starts
        workers = [
            subprocess.Popen(
                [sys.executable, __file__, "--inside", "sign", str(start_at), str(seconds)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(processes)
        ]
        runs = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in workers]
        validation = _inside(env, "validate")
    signed = sum(r["signed"] for r in runs)
    return {
        "processes": processes,
        "seconds": seconds,
        "level": "B-T",
        "pages": 2,
        "signed": signed,
        "per_second": round(signed / seconds, 1),
        "per_second_each": [round(r["signed"] / seconds, 1) for r in runs],
        "sign_target": SIGN_TARGET,
        "ms_per_signature": round(1000 * seconds * processes / max(signed, 1), 1),
        "signed_bytes": runs[0]["bytes"],
        "validate_b_lt_ms": validation["b_lt_ms"],
        "validate_b_t_ms": validation["b_t_ms"],
        "validate_unsigned_ms": validation["unsigned_ms"],
    }


# --- inside Django ------------------------------------------------------------------------


def _result_pdf() -> bytes:
    """A 2-page result as motcua renders one: WeasyPrint, DejaVu, the signature block."""
    from motcua.dossiers.forms_pdf import html_to_pdf

    lines = "".join(
        f"<p>Điều {n}. Nội dung quyết định về việc cấp giấy phép, dòng {n}.</p>" for n in range(40)
    )
    return html_to_pdf(
        "<html lang='vi'><head><style>"
        "body { font-family: 'DejaVu Serif'; font-size: 11pt }"
        "a.signature-block { display: block; width: 76mm; height: 16mm; margin-left: auto }"
        "</style></head><body><h1>QUYẾT ĐỊNH</h1>" + lines + "<p><b>GIÁM ĐỐC</b></p>"
        "<a class='signature-block' id='signature-block' href='#signature-block'></a>"
        "<p><b>Đặng Quốc Hùng</b></p></body></html>"
    )


def _key():
    from motcua.signing.keys import key_source

    return key_source(
        "pkcs12", {"path": "signers/bench-leader.p12", "passphrase_env": PASSPHRASE_ENV}
    )


def _stamp():
    from motcua.signing.stamp import StampInfo, seal_png

    return StampInfo(
        signed_by="Sở Tư pháp tỉnh Long An",
        signer_name="Đặng Quốc Hùng",
        signer_title="Phó Giám đốc",
        image=seal_png("Sở Tư pháp tỉnh Long An", center="STP"),
    )


def _setup() -> dict:
    from django.conf import settings

    from motcua.signing import pki

    dev = pki.DevPki(Path(settings.MOTCUA_SIGNING["DEV_PKI_DIR"]))
    dev.ensure("Tỉnh Long An")
    leader = pki.issue_person(
        dev.intermediate(),
        full_name="Đặng Quốc Hùng",
        title="Phó Giám đốc",
        agency_name="Sở Tư pháp tỉnh Long An",
    )
    dev.write_signer("bench-leader", leader)
    return {"passphrase": dev.passphrase().decode()}


def _sign(start_at: float, seconds: float) -> dict:
    from motcua.signing.pades import sign_pdf

    pdf, key, stamp = _result_pdf(), _key(), _stamp()
    for _ in range(3):  # warm-up: fonts, key, timestamper
        signed = sign_pdf(pdf, key, stamp=stamp, level="B-T")
    time.sleep(max(0.0, start_at - time.time()))
    end = time.time() + seconds
    count = 0
    while time.time() < end:
        sign_pdf(pdf, key, stamp=stamp, level="B-T")
        count += 1
    return {"signed": count, "bytes": len(signed.pdf)}


def _median_ms(job, runs: int = 15) -> float:
    job()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        job()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)


def _validate() -> dict:
    from motcua.signing.pades import sign_pdf
    from motcua.signing.validation import validate_pdf

    pdf, key, stamp = _result_pdf(), _key(), _stamp()
    b_lt = sign_pdf(pdf, key, stamp=stamp, level="B-LT").pdf
    b_t = sign_pdf(pdf, key, stamp=stamp, level="B-T").pdf
    assert validate_pdf(b_lt).status == "valid", validate_pdf(b_lt).summary
    return {
        "b_lt_ms": _median_ms(lambda: validate_pdf(b_lt)),
        "b_t_ms": _median_ms(lambda: validate_pdf(b_t)),
        "unsigned_ms": _median_ms(lambda: validate_pdf(pdf)),
    }


def inside(command: str, args: list[str]) -> None:
    import django

    django.setup()
    if command == "setup":
        answer = _setup()
    elif command == "sign":
        answer = _sign(float(args[0]), float(args[1]))
    else:
        answer = _validate()
    print(json.dumps(answer))


# --- the harness ----------------------------------------------------------------------------


def table(result: dict) -> str:
    ok = "ok" if result["per_second"] >= SIGN_TARGET else "LOW"
    return "\n".join(
        [
            "Signing: PAdES B-T, PKCS#12 key, local timestamper, visible stamp, 2-page result",
            f"{'processes':<11}{'signed':>8}{'sig/s':>8}{'target':>8}{'ratio':>7}{'':>4}"
            f"{'ms/sig':>8}{'validate B-LT ms':>18}{'B-T ms':>8}",
            f"{result['processes']:<11}{result['signed']:>8}{result['per_second']:>8}"
            f"{SIGN_TARGET:>8}{result['per_second'] / SIGN_TARGET:>7.2f}{ok:>4}"
            f"{result['ms_per_signature']:>8}{result['validate_b_lt_ms']:>18}"
            f"{result['validate_b_t_ms']:>8}",
        ]
    )


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--inside":
        inside(sys.argv[2], sys.argv[3:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = measure(args.seconds, args.processes)
    if args.json:
        args.json.write_text(json.dumps(result))
    else:
        print(table(result), flush=True)
        path = ROOT / "bench" / "results" / f"{time.strftime('%Y-%m-%d')}-signing.json"
        path.write_text(json.dumps({"runs": [result]}, indent=2) + "\n")
        print(f"Results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
